"""One reader of outside JSON for every edge: the size limit (at, just below and just above),
the depth limit, duplicate keys named with their path, JSON no database stores; and each
edge's answer: the API's {"detail": [...]}, an OperationOutcome, CDS Hooks' JSON, exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests import cds_fhir
from tests import web_fixtures as web
from tests.api_fixtures import Api
from tests.cds_fixtures import call, request_for
from tests.cds_tokens import trust
from tests.conftest import SHARED
from tests.web_fixtures import PASSWORD
from venowatch.cli.main import main
from venowatch.clinic.models import CheckIn, Patient, Role
from venowatch.services.wire import (
    MAX_DEPTH,
    DuplicateKeyError,
    NotJsonError,
    TooDeepError,
    TooLargeError,
    body_limit,
    read_json,
)


def padded(value: Any, size: int) -> bytes:
    """`value` as JSON of exactly `size` bytes (spaces after it are still JSON)."""
    raw = json.dumps(value).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


class TestTheReader:
    @pytest.mark.parametrize("size", [999, 1000])
    def test_a_body_at_or_just_below_the_limit_is_read(self, size: int) -> None:
        assert read_json(padded({"a": 1}, size), max_bytes=1000) == {"a": 1}

    def test_a_body_one_byte_over_the_limit_is_refused_with_the_limit(self) -> None:
        with pytest.raises(TooLargeError, match=r"larger than 1000 bytes") as refused:
            read_json(padded({"a": 1}, 1001), max_bytes=1000)
        assert refused.value.status == 413
        with pytest.raises(TooLargeError, match=r"larger than 1 MiB"):
            read_json(padded({}, (1 << 20) + 1), max_bytes=1 << 20)

    @pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH])
    def test_nesting_at_or_just_below_the_limit_is_read(self, levels: int) -> None:
        value = read_json(nested(levels))
        for _ in range(levels - 1):
            (value,) = value
        assert value == []

    @pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 1000, 100_000])
    def test_nesting_past_the_limit_is_refused(self, levels: int) -> None:
        with pytest.raises(TooDeepError, match=f"deeper than {MAX_DEPTH}") as refused:
            read_json(nested(levels))
        assert refused.value.status == 400

    def test_a_duplicated_key_is_named_with_its_path(self) -> None:
        raw = '{"entry": [{"resource": {}}, {"resource": {"id": "a", "gender": "f", "id": "b"}}]}'
        with pytest.raises(DuplicateKeyError) as refused:
            read_json(raw)
        error = refused.value
        assert (error.key, error.path, error.status) == ("id", ("entry", 1, "resource"), 422)
        assert str(error) == 'the key "id" appears twice in the object at $.entry[1].resource'

    def test_the_first_duplicate_in_document_order_is_named(self) -> None:
        with pytest.raises(DuplicateKeyError, match=r'"b" appears twice .* at \$\["odd key"\]'):
            read_json('{"odd key": {"b": 1, "b": 2}, "z": {"c": 1, "c": 2}}')
        with pytest.raises(DuplicateKeyError, match=r'"a" appears twice in the object at \$$'):
            read_json('{"a": 1, "a": 1}')  # even with the same value: the sender erred

    def test_equal_keys_in_different_objects_are_fine(self) -> None:
        assert read_json('[{"a": 1}, {"a": 2, "b": {"a": 3}}]') == [
            {"a": 1},
            {"a": 2, "b": {"a": 3}},
        ]

    @pytest.mark.parametrize(
        ("raw", "why"),
        [
            (b"{not json", "not JSON"),
            (b"", "not JSON"),
            (b'{"a": NaN}', "NaN is not a JSON number"),
            (b"[Infinity]", "Infinity is not a JSON number"),
            (b"[" + b"9" * 5000 + b"]", "more than 4300 digits"),
            (b'"\xff\xfe"', "not UTF-8"),
            (b'{"note": "a\\u0000b"}', r"at \$.note holds a NUL"),
            (b'{"name": ["x", "\\ud800"]}', r"at \$.name\[1\] holds half of a UTF-16"),
            (b'{"\\udfff": 1}', "half of a UTF-16 surrogate pair"),
        ],
    )
    def test_what_is_not_json_venowatch_stores_is_refused_in_words(
        self, raw: bytes, why: str
    ) -> None:
        with pytest.raises(NotJsonError, match=why) as refused:
            read_json(raw)
        assert refused.value.status == 400

    def test_a_surrogate_pair_and_a_bom_are_read(self) -> None:
        assert read_json(b'\xef\xbb\xbf{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}

    def test_each_edge_has_its_default_limit(self, settings: Any) -> None:
        del settings.VENOWATCH_API_MAX_BODY
        del settings.VENOWATCH_CDS_MAX_BODY
        assert [body_limit(e) for e in ("api", "cds", "fhir")] == [1 << 20, 5 << 20, 32 << 20]
        settings.VENOWATCH_FHIR_MAX_BODY = 4096
        assert body_limit("fhir") == 4096


@pytest.fixture
def maria(db: None) -> Patient:
    from datetime import timedelta

    from django.utils import timezone

    from venowatch.protocol import ProcedureKind
    from venowatch.services.care.records import record_procedure

    home = web.clinic()
    p = web.patient("Maria Keller", home, advocate=web.user("alex", home, Role.ADVOCATE))
    now = timezone.now()
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(days=3), now=now
    )
    return p


class TestTheApi:
    def post(self, maria: Patient, raw: bytes) -> Any:
        assert maria.user is not None
        api = Api(maria.user)
        return api.client.post(
            f"/api/v1/patients/{maria.pk}/checkins",
            raw,
            content_type="application/json",
            headers={"Authorization": f"Bearer {api.secret}"},
        )

    @pytest.mark.parametrize("extra", [-1, 0])
    def test_a_check_in_at_or_just_below_the_limit_is_stored(
        self, maria: Patient, settings: Any, extra: int
    ) -> None:
        settings.VENOWATCH_API_MAX_BODY = 2048
        answer = self.post(maria, padded({"pgic": "no_change"}, 2048 + extra))
        assert answer.status_code == 201, answer.json()

    def test_one_byte_over_the_limit_is_413_and_stores_nothing(
        self, maria: Patient, settings: Any
    ) -> None:
        settings.VENOWATCH_API_MAX_BODY = 2048
        answer = self.post(maria, padded({"pgic": "no_change"}, 2049))
        assert answer.status_code == 413
        (problem,) = answer.json()["detail"]
        assert problem["loc"] == ["body"]
        assert "larger than 2 KiB (2048 bytes)" in problem["msg"]
        assert CheckIn.objects.count() == 0

    def test_past_djangos_own_limit_it_is_still_a_413_in_json(self, maria: Patient) -> None:
        answer = self.post(maria, padded({"pgic": "no_change"}, 3 << 20))
        assert answer.status_code == 413
        assert "larger than 1 MiB" in answer.json()["detail"][0]["msg"]

    def test_too_deep_is_400(self, maria: Patient) -> None:
        answer = self.post(maria, b'{"pgic": ' + nested(1000) + b"}")
        assert answer.status_code == 400
        assert "nested deeper than 64 levels" in answer.json()["detail"][0]["msg"]

    def test_not_json_is_400(self, maria: Patient) -> None:
        answer = self.post(maria, b'{"pgic": "no_change"')
        assert answer.status_code == 400
        assert "not JSON" in answer.json()["detail"][0]["msg"]

    def test_a_duplicated_key_is_422_naming_it(self, maria: Patient) -> None:
        answer = self.post(maria, b'{"pgic": "much_worse", "pgic": "no_change"}')
        assert answer.status_code == 422
        (problem,) = answer.json()["detail"]
        assert problem["loc"] == ["body", "pgic"]
        assert 'the key "pgic" appears twice' in problem["msg"]
        assert CheckIn.objects.count() == 0


def _staff_client(db: None) -> Client:
    c = web.clinic()
    client = Client()
    client.login(username=web.user("imogen", c, Role.ADMIN).username, password=PASSWORD)
    return client


class TestFhirImport:
    def post(self, client: Client, raw: bytes) -> Any:
        return client.post("/fhir/r4/", raw, content_type="application/fhir+json")

    def issue(self, answer: Any, status: int) -> dict[str, Any]:
        assert answer.status_code == status, answer.content
        body = answer.json()
        assert body["resourceType"] == "OperationOutcome"
        (issue,) = body["issue"]
        return dict(issue)

    def test_a_duplicated_key_is_422_with_its_fhirpath(self, db: None) -> None:
        raw = b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
        raw += b'{"resourceType": "Patient", "id": "a", "id": "b"}}]}'
        issue = self.issue(self.post(_staff_client(db), raw), 422)
        assert issue["code"] == "structure"
        assert issue["expression"] == ["Bundle.entry[0].resource.id"]
        assert 'the key "id" appears twice' in issue["diagnostics"]

    def test_the_fhirpath_starts_at_the_documents_resource_type(self, db: None) -> None:
        raw = b'{"resourceType": "Patient", "id": "a", "id": "b"}'
        issue = self.issue(self.post(_staff_client(db), raw), 422)
        assert issue["expression"] == ["Patient.id"]

    def test_over_the_limit_is_413_at_it_is_read(self, db: None, settings: Any) -> None:
        settings.VENOWATCH_FHIR_MAX_BODY = 4096
        client = _staff_client(db)
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
        issue = self.issue(self.post(client, padded(bundle, 4097)), 413)
        assert issue["code"] == "too-costly"
        for size in (4095, 4096):  # just below and at the limit
            assert self.post(client, padded(bundle, size)).status_code == 200

    def test_a_bundle_past_djangos_form_limit_is_imported(self, db: None) -> None:
        synthea = json.loads((SHARED / "fhir" / "synthea" / "synthea_r4_1MB.json").read_bytes())
        answer = self.post(_staff_client(db), padded(synthea, 3 << 20))
        assert answer.status_code == 200, answer.content[:300]

    def test_too_deep_and_not_json_are_400(self, db: None) -> None:
        client = _staff_client(db)
        assert "nested deeper" in self.issue(self.post(client, nested(1000)), 400)["diagnostics"]
        assert "not JSON" in self.issue(self.post(client, b"{"), 400)["diagnostics"]


class TestCdsHooks:
    @pytest.fixture(autouse=True)
    def _trusted(self, db: None, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        from tests.cds_fixtures import NOW, at

        settings.VENOWATCH_BASE_URL_SET = False
        at(monkeypatch, NOW)
        trust(web.clinic())

    def body(self) -> bytes:
        return json.dumps(request_for("pt-1", cds_fhir.prefetch({}, "pt-1"))).encode()

    @pytest.mark.parametrize("extra", [-1, 0])
    def test_at_or_just_below_the_limit_is_answered(self, settings: Any, extra: int) -> None:
        raw = self.body()
        settings.VENOWATCH_CDS_MAX_BODY = len(raw) + 10
        answer = call(Client(), raw + b" " * (10 + extra))
        assert answer.status_code == 200, answer.content

    def test_one_byte_over_is_413(self, settings: Any) -> None:
        raw = self.body()
        settings.VENOWATCH_CDS_MAX_BODY = len(raw) + 10
        answer = call(Client(), raw + b" " * 11)
        assert answer.status_code == 413
        assert answer.json()["error"] == "too_large"

    def test_a_duplicated_key_is_422_naming_it(self) -> None:
        raw = self.body().replace(b'"hook": "patient-view"', b'"hook": "patient-view", "hook": "x"')
        answer = call(Client(), raw)
        assert answer.status_code == 422
        assert answer.json()["error"] == "unprocessable"
        assert 'the key "hook" appears twice in the object at $' in answer.json()["message"]

    def test_too_deep_is_400(self) -> None:
        answer = call(Client(), nested(MAX_DEPTH + 1))
        assert answer.status_code == 400
        assert "nested deeper" in answer.json()["message"]


class TestTheCommandLine:
    @pytest.fixture(autouse=True)
    def _data_dir(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("VENOWATCH_DATA_DIR", str(tmp_path))

    @pytest.mark.parametrize(
        ("raw", "why"),
        [
            (b'{"resourceType": "Bundle", "resourceType": "Bundle"}', 'key "resourceType"'),
            (nested(1000), "nested deeper than 64"),
            (b'{"a": NaN}', "NaN"),
        ],
    )
    def test_a_refused_file_exits_2_saying_why(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: bytes, why: str
    ) -> None:
        path = tmp_path / "bundle.json"
        path.write_bytes(raw)
        try:
            status = main(["import", str(path), "--clinic", "1"])
        except SystemExit as exit_:
            status = int(exit_.code or 0)
        assert status == 2
        err = capsys.readouterr().err
        assert why in err
        assert "Traceback" not in err


def test_every_api_body_goes_through_the_one_reader(maria: Patient) -> None:
    """Each operation of the OpenAPI document that takes a body refuses a duplicated key with
    a 422 naming it: no endpoint parses its body with ninja's own json.loads."""
    from venowatch.api.v1 import api as v1

    assert maria.user is not None
    staff = Api(web.user("sam", maria.clinic, Role.ADVOCATE))
    document = v1.get_openapi_schema()
    with_body = [
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 5
    for path, method in with_body:
        # Any id: the body is parsed before the view looks anything up.
        url = re.sub(r"\{[^}]+\}", str(maria.pk), path).removeprefix("/api/v1")
        answer = getattr(staff.client, method)(
            f"/api/v1{url}",
            b'{"x": 1, "x": 2}',
            content_type="application/json",
            headers={"Authorization": f"Bearer {staff.secret}"},
        )
        assert answer.status_code == 422, (method, path, answer.content)
        assert 'the key "x" appears twice' in answer.json()["detail"][0]["msg"], (method, path)
