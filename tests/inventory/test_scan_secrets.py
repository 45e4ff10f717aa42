"""Credentials real integrations hold that a plain ``name = value`` rule misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.inventory.scan import scan_tree

REFRESH = "Rt9Kq2Lm4Np6Qr8St0Uv1Wx3Yz5Ab7Cd"
IN_URL = "Zk3Jh5Gf7Ds9Ap1Ql2Wm4En6Rb8Tv0Yc"
BEARER = "Hq7Wv2Xn9Mb4Lc6Kd8Je1Pf3Og5Ri0Su"
MARKS = "Ux4&Wq9%Lk2Pm7Zr5Tn8Yb3Vc6Gh1Jd"
FORM_SECRET = "Mf6Ng8Ph0Qj2Rk4Sl6Tm8Un0Vo2Wp4Xq"
FORM_REFRESH = "Bc5De7Fg9Hi1Jk3Lm5No7Pq9Rs1Tu3Vw"
CURL_BEARER = "Gh2Ij4Kl6Mn8Op0Qr2St4Uv6Wx8Yz0Ab"
VALUES = [REFRESH, IN_URL, BEARER, MARKS, FORM_SECRET, FORM_REFRESH, CURL_BEARER]


def _tree(root: Path) -> Path:
    (root / "settings.py").write_text(
        "# procore integration settings\n"
        f'PROCORE_REFRESH_TOKEN = "{REFRESH}"\n'
        'client_id_real = "8f4e2a9c1b7d3e5f6a0b"\n'
    )
    (root / "app.js").write_text(
        "// procore\n"
        'const procoreClientId = "a1b2c3d4e5f60718293a";\n'
        f"const url = `https://api.procore.com/rest/v1.0/me?access_token={IN_URL}`;\n"
        f'fetch(url, {{ headers: {{ Authorization: "Bearer {BEARER}" }} }});\n'
        f'const procore_client_secret = "{MARKS}";\n'
    )
    (root / "token.sh").write_text(
        "curl -X POST https://login.procore.com/oauth/token \\\n"
        '  -d "grant_type=refresh_token&client_id=9e8d7c6b5a4f3e2d1c0b'
        f'&client_secret={FORM_SECRET}&refresh_token={FORM_REFRESH}"\n'
        f'curl -H "Authorization: Bearer {CURL_BEARER}" https://api.procore.com/rest/v1.0/me\n'
    )
    return root


def test_finds_refresh_tokens_url_and_header_credentials(tmp_path: Path) -> None:
    report = scan_tree(_tree(tmp_path)).report
    found = {(f.file, f.line, f.kind) for f in report.secrets}
    assert found == {
        ("settings.py", 2, "refresh_token"),
        ("settings.py", 3, "client_id"),
        ("app.js", 2, "client_id"),
        ("app.js", 3, "access_token"),
        ("app.js", 4, "access_token"),
        ("app.js", 5, "client_secret"),
        ("token.sh", 2, "client_id"),
        ("token.sh", 2, "client_secret"),
        ("token.sh", 2, "refresh_token"),
        ("token.sh", 3, "access_token"),
    }
    assert not any(value in report.model_dump_json() for value in VALUES)


def test_cli_never_prints_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    out = tmp_path / "scan.json"
    code = main(["scan", str(_tree(code_dir)), "--out", str(out), "--json"])
    printed = capsys.readouterr()
    assert code == 1
    everything = printed.out + printed.err + out.read_text()
    assert "refresh_token" in printed.out
    assert not any(value in everything for value in VALUES)


def test_placeholders_are_not_findings(tmp_path: Path) -> None:
    (tmp_path / "placeholders.py").write_text(
        "# procore\n"
        'PROCORE_CLIENT_SECRET = "fake_client_secret_value_123"\n'
        'client_secret = "changeme-changeme-123"\n'
        'client_secret = "xxxxxxxxxxxxxxxxxxxxxxxx"\n'
        'client_secret = "<your-secret>"\n'
        'REFRESH_TOKEN = "<your-refresh-token-here>"\n'
        'headers = {"Authorization": "Bearer " + token}\n'
        'headers = {"Authorization": f"Bearer {token}"}\n'
        'url = "https://api.procore.com/rest/v1.0/me?access_token=${PROCORE_TOKEN}"\n'
    )
    assert scan_tree(tmp_path).report.secrets == []
