"""E-mail to applicants who gave an address: what changed and where to look (never the code
again except in the first message, never the answer's content: the status page has it).

The mail is owed in the transaction of the change (workflow.outbox): sent after the commit, and by
the reconciler if the mail server was down. The 查询码 travels as the mail's secret, erased once the
mail is sent (the request itself keeps only its digest)."""

from django.conf import settings

from workflow import outbox

SUBJECTS = {
    "submitted": "您的信息公开申请已提交",
    "confirmed": "您的信息公开申请已受理",
    "correction": "您的信息公开申请需要补正",
    "extended": "您的信息公开申请答复期限已延长",
    "answered": "您的信息公开申请已答复",
    "complaint": "您的投诉举报/意见建议已提交",
}


def owe_applicant(email, number, what, code=""):
    """Owe the applicant the mail `what` about `number`, in the current transaction."""
    status_url = settings.SITE_URL.rstrip("/") + "/apply/status/"
    lines = [f"{settings.SCHOOL_NAME}信息公开网", "", f"{SUBJECTS[what]}。编号：{number}"]
    if code:
        lines += [f"查询码：{outbox.SECRET}", "请妥善保管查询码：凭编号和查询码查询办理进度、提交补正、下载答复文书。"]
    lines += ["", f"查询办理进度：{status_url}"]
    outbox.owe([(email, f"[{settings.SCHOOL_NAME}] {SUBJECTS[what]}（{number}）", "\n".join(lines), code)])
