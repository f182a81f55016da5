from enum import StrEnum


class FeatureType(StrEnum):
    BOOLEAN = "boolean"
    CONFIG = "config"
    METERED = "metered"

    def __str__(self) -> str:
        return str(self.value)
