// A small rich-text editor for the item body: a contenteditable area with a few formatting buttons,
// kept in sync with the textarea that is submitted (the server sanitises whatever arrives).
(function () {
  "use strict";
  function enhance(textarea) {
    var toolbar = document.createElement("div");
    toolbar.className = "rte-toolbar";
    var area = document.createElement("div");
    area.className = "rte";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    // The editable area is named by the field's own label; the buttons say what they do.
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      if (!label.id) { label.id = textarea.id + "-label"; }
      area.setAttribute("aria-labelledby", label.id);
    }
    toolbar.setAttribute("role", "toolbar");
    if (label) { toolbar.setAttribute("aria-label", label.textContent.trim()); }
    area.innerHTML = textarea.value;
    var chinese = (document.documentElement.lang || "").indexOf("zh") === 0;
    var names = chinese ? ["加粗", "倾斜", "项目符号列表", "编号列表"] : ["Bold", "Italic", "Bulleted list", "Numbered list"];
    [["bold", "B"], ["italic", "I"], ["insertUnorderedList", "•"], ["insertOrderedList", "1."]].forEach(function (b, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[1];
      button.setAttribute("aria-label", names[i]);
      button.title = names[i];
      button.dataset.command = b[0];
      button.addEventListener("click", function () { area.focus(); document.execCommand(b[0]); sync(); });
      toolbar.appendChild(button);
    });
    function sync() { textarea.value = area.innerHTML; }
    area.addEventListener("input", sync);
    textarea.form.addEventListener("submit", sync);
    textarea.style.display = "none";
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(area, textarea);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea.rich-text").forEach(enhance);
  });
})();
