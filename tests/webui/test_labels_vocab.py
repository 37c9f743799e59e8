"""The review UI's label tables name exactly the stored values of the store's enums."""

from models.base import Decision, FlagStatus, InteractionKind, Severity
from webui.labels import LABELS


def test_label_tables_cover_each_enum_exactly():
    for group, enum_cls in (("status", FlagStatus), ("decision", Decision), ("severity", Severity),
                            ("kind", InteractionKind)):
        assert list(LABELS[group]) == [m.value for m in enum_cls], group
        assert all(type(key) is str for key in LABELS[group])
