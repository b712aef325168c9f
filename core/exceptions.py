class StateConflict(Exception):
    """The object's state does not allow this action now (HTTP 409): raised by workflow and foi services."""

    def __init__(self, message, *, state=None):
        super().__init__(message)
        self.message = message
        self.state = state
