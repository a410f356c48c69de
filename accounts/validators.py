from django.contrib.auth import password_validation
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


# Django's password rules, with GOV.UK wording: what to do, no full stop.


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"Password must be {self.min_length} characters or more"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "This password is too common. Choose one that is harder to guess"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password: str, user=None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as error:
            field = str(error.params["verbose_name"])
            words = "email address" if field == "email" else field
            raise ValidationError(
                f"Password is too like your {words}. Choose something else", code=error.code
            ) from None
