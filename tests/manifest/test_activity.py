"""Reading the API Call Activity Report CSV into usage entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.inventory.activity import parse_activity_report, read_activity_report
from dmsa_migrate.manifest.usage import load_usage_file

HEADER = "Date,Response Code,HTTP Method,Normalized Route,Count\n"


def test_rows_fold_into_one_entry_per_method_and_template(demo_activity_file: Path) -> None:
    entries = read_activity_report(demo_activity_file)
    rfis = [e for e in entries if e.template == "/rest/v1.0/projects/{project_id}/rfis"]
    get = next(e for e in rfis if e.method == "GET")
    assert get.count == 810 and get.statuses == {"200": 810}
    assert get.source == "activity:demo_activity.csv"
    delete = next(e for e in entries if e.method == "DELETE")
    assert delete.template == "/rest/v1.0/projects/{project_id}/rfis/{id}"
    assert delete.statuses == {"403": 4}


def test_byte_order_mark_and_thousands_separator_are_accepted() -> None:
    text = "\ufeff" + HEADER + '2025-02-01,200,get,/v1.0/me,"1,200"\n'
    [entry] = parse_activity_report(text, "r.csv")
    assert (entry.method, entry.template, entry.count) == ("GET", "/rest/v1.0/me", 1200)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("2025-02-01,200,FETCH,/v1.0/me,1", "HTTP Method"),
        ("2025-02-01,abc,GET,/v1.0/me,1", "Response Code"),
        ("2025-02-01,200,GET,/v1.0/me,many", "Count"),
        ("2025-02-01,200,GET,,1", "Normalized Route"),
    ],
)
def test_bad_row_names_file_line_and_column(row: str, field: str) -> None:
    text = HEADER + "2025-02-01,200,GET,/v1.0/me,1\n" + row + "\n"
    with pytest.raises(FileFormatError) as caught:
        parse_activity_report(text, "report.csv")
    assert caught.value.path == "report.csv" and caught.value.line == 3
    assert caught.value.detail.startswith(field)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Date,HTTP Method,Normalized Route,Count\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"missing column.*Response Code"):
        read_activity_report(path)


def test_usage_json_list_and_object_forms(tmp_path: Path) -> None:
    listing = tmp_path / "list.json"
    listing.write_text('[{"method": "get", "template": "/rest/v1.0/me"}]', encoding="utf-8")
    [entry] = load_usage_file(listing)
    assert (entry.method, entry.source) == ("GET", "usage:list.json")
    scan = tmp_path / "scan.json"
    scan.write_text('{"usage": [{"method": "POST", "template": "/rest/v1.0/files", '
                    '"source": "scan:src/app.py:12"}], "findings": []}', encoding="utf-8")
    assert load_usage_file(scan)[0].source == "scan:src/app.py:12"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"usage": [{"method": "GET"}]}', "usage[0].template"),
        ('[{"method": "FETCH", "template": "/x"}]', "[0].method: unknown HTTP method"),
        ('{"accounts": []}', "usage: expected a list"),
        ("hello", "not usage evidence"),
        ('[{"method": "GET",', "invalid JSON"),
    ],
)
def test_bad_usage_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "u.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        load_usage_file(path)
    assert caught.value.path == str(path) and message in caught.value.detail


def test_entries_keep_first_and_last_day_and_failed_calls() -> None:
    text = (
        "Date,Response Code,HTTP Method,Normalized Route,Count\n"
        "2025-02-03,200,GET,/v1.0/projects/:project_id/rfis,10\n"
        "2025-01-28,403,GET,/v1.0/projects/:project_id/rfis,4\n"
        "2025-02-10,200,GET,/v1.0/projects/:project_id/rfis,6\n"
    )
    (entry,) = parse_activity_report(text, "report.csv")
    assert (entry.first_seen, entry.last_seen) == ("2025-01-28", "2025-02-10")
    assert entry.count == 20
    assert entry.failed == 4


def test_bad_date_names_the_line() -> None:
    text = (
        "Date,Response Code,HTTP Method,Normalized Route,Count\n"
        "2025-02-03,200,GET,/v1.0/me,1\n"
        "yesterday,200,GET,/v1.0/me,1\n"
    )
    with pytest.raises(FileFormatError) as caught:
        parse_activity_report(text, "report.csv")
    assert caught.value.line == 3
    assert "Date" in str(caught.value)
