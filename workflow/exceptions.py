class StateConflict(Exception):
    """The item's state does not allow this action now (HTTP 409). Raised by workflow.services."""

    def __init__(self, message, *, state=None):
        super().__init__(message)
        self.message = message
        self.state = state
