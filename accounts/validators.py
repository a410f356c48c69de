from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Refuse passwords longer than max_length characters.

    NCSC advice is to allow long pass phrases; the limit is generous and only
    bounds the hashing work one request can cause.
    """

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"Password must be {self.max_length} characters or fewer",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password must be {self.max_length} characters or fewer."
