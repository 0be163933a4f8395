"""Outside JSON is read with a depth limit, so no body can overflow the parser or its readers."""

from __future__ import annotations

import pytest

from venowatch.services.wire import MAX_DEPTH, read_json


def test_json_as_deep_as_the_limit_is_read() -> None:
    text = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    value = read_json(text)
    for _ in range(MAX_DEPTH):
        (value,) = value
    assert value == 1


@pytest.mark.parametrize(
    "text",
    [
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),  # one level too deep
        '{"a":' * 100_000 + "1" + "}" * 100_000,  # past the parser's own recursion
    ],
)
def test_json_nested_deeper_is_refused_in_words(text: str) -> None:
    with pytest.raises(ValueError, match=f"nested deeper than {MAX_DEPTH} levels"):
        read_json(text)


def test_a_wide_document_is_not_deep() -> None:
    assert read_json('{"entry": [' + ",".join(['{"a": [1, {"b": 2}]}'] * 5000) + "]}")
