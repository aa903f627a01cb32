"""The example production configuration in docs/deploy/ names real commands, options and settings."""

import configparser
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.utils.module_loading import import_string

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "docs" / "deploy"
VENV_BIN = Path(sys.executable).parent


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return unit


def _exec_start(name: str, instance: str) -> list[str]:
    command = shlex.split(_unit(name)["Service"]["ExecStart"].replace("%i", instance))
    assert command[0].startswith("/opt/charter/.venv/bin/")
    return [str(VENV_BIN / Path(command[0]).name), *command[1:]]


def _environment() -> dict[str, str]:
    lines = (DEPLOY / "charter.env.example").read_text(encoding="utf-8").splitlines()
    pairs = [line.partition("=") for line in lines if line.strip() and not line.startswith("#")]
    return {key: value for key, _equals, value in pairs}


def test_the_example_files_exist() -> None:
    names = {path.name for path in DEPLOY.iterdir()}

    assert {
        "charter-web@.service",
        "charter-worker@.service",
        "charter-backup.service",
        "charter-backup.timer",
        "charter.env.example",
        "nginx-charter.conf",
    } <= names


@pytest.mark.parametrize(
    "name", ["charter-web@.service", "charter-worker@.service", "charter-backup.service"]
)
def test_each_unit_reads_the_environment_file_and_runs_from_the_install(name: str) -> None:
    service = _unit(name)["Service"]

    assert service["EnvironmentFile"] == "/etc/charter/charter.env"
    assert service["WorkingDirectory"] == "/opt/charter"
    assert service["User"] == "charter"


def test_each_web_instance_has_a_control_socket_of_its_own_in_its_runtime_directory() -> None:
    service = _unit("charter-web@.service")["Service"]
    first, second = _exec_start("charter-web@.service", "8001"), _exec_start("charter-web@.service", "8002")

    sockets = {command[command.index("--control-socket") + 1] for command in (first, second)}
    assert sockets == {"/run/charter/web-8001/gunicorn.ctl", "/run/charter/web-8002/gunicorn.ctl"}
    assert "charter/web-%i" in service["RuntimeDirectory"].split()
    assert first[first.index("--bind") + 1] == "127.0.0.1:8001"


def test_the_web_command_is_a_valid_gunicorn_configuration_of_charter(tmp_path: Path) -> None:
    command = _exec_start("charter-web@.service", "8001")
    logger = command[command.index("--logger-class") + 1]
    import_string(logger)

    checked = subprocess.run(  # noqa: S603
        [*command, "--check-config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": str(VENV_BIN), "CHARTER_VAR_DIR": str(tmp_path), "HOME": str(tmp_path)},
    )

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert command[1] == "charter.config.wsgi"
    assert settings.WSGI_APPLICATION == "charter.config.wsgi.application"


def test_the_worker_command_is_charter_s_huey_consumer_with_options_it_takes() -> None:
    command = _exec_start("charter-worker@.service", "1")

    assert command[1] == "/opt/charter/manage.py"
    assert command[2] == "run_huey"
    app = get_commands()["run_huey"]
    parser = load_command_class(app, "run_huey").create_parser("manage.py", "run_huey")
    assert parser.parse_args(command[3:]).verbosity is not None


def test_the_backup_unit_runs_the_backup_command_into_an_archive() -> None:
    service = _unit("charter-backup.service")["Service"]

    assert service["Type"] == "oneshot"
    command = shlex.split(service["ExecStart"].replace("%%", "%"))
    assert command[:2] == ["/bin/sh", "-c"]
    script = command[2].replace("/opt/charter/.venv/bin/python /opt/charter/manage.py backup", "echo")
    name = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert re.fullmatch(r"/var/backups/charter/charter-\d{8}T\d{6}Z\.tar\.gz\n", name)
    assert "backup" in get_commands()
    assert _unit("charter-backup.timer")["Timer"]["OnCalendar"]


def test_the_environment_file_names_only_settings_charter_reads_and_holds_no_real_key() -> None:
    environment = _environment()
    sources = (ROOT / "charter" / "config" / "settings.py").read_text(encoding="utf-8")

    unknown = [key for key in environment if f'"{key}"' not in sources]
    assert unknown == []
    assert environment["CHARTER_ENV"] == "production"
    for key in ("CHARTER_SECRET_KEY", "CHARTER_DATA_KEYS", "CHARTER_BLIND_INDEX_KEY", "CHARTER_AUDIT_KEY"):
        assert "replace-with" in environment[key]


def test_nginx_passes_the_client_address_in_the_header_charter_reads_and_the_same_body_limit() -> None:
    site = (DEPLOY / "nginx-charter.conf").read_text(encoding="utf-8")
    environment = _environment()
    header = environment["CHARTER_CLIENT_IP_HEADER"]

    assert re.search(rf"proxy_set_header {re.escape(header)} \$remote_addr;", site)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    limit = re.search(r"client_max_body_size (\d+)m;", site)
    assert limit is not None
    assert int(limit.group(1)) * 1024 * 1024 == int(environment["CHARTER_MAX_REQUEST_BYTES"])
    assert int(environment["CHARTER_MAX_REQUEST_BYTES"]) == settings.CHARTER_MAX_REQUEST_BYTES
    upstream = re.search(r"upstream charter_web \{(.*?)\}", site, re.S)
    assert upstream is not None
    assert re.findall(r"server (127\.0\.0\.1:\d+)", upstream.group(1)) == ["127.0.0.1:8001", "127.0.0.1:8002"]
    assert re.search(r"ssl_certificate\s", site)


def _locations(site: str) -> dict[str, str]:
    """Each `location` of the site by its match (`= /metrics/8001`, `/`...), with its body."""
    return {
        match.group(1).strip(): match.group(2)
        for match in re.finditer(r"^    location\s+([^{]+?)\s*\{(.*?)\n    \}", site, re.S | re.M)
    }


def test_nginx_replaces_the_client_s_request_id_in_every_proxied_location() -> None:
    site = (DEPLOY / "nginx-charter.conf").read_text(encoding="utf-8")
    proxied = {name: body for name, body in _locations(site).items() if "proxy_pass" in body}

    assert "/" in proxied and len(proxied) >= 3
    for name, body in proxied.items():
        assert "proxy_set_header X-Request-ID $request_id;" in body, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "must overwrite the client's `X-Request-ID`" in readme
    assert "均衡器必须用自己的编号覆盖客户端发来的 `X-Request-ID`" in readme


def test_nginx_gives_each_web_instance_its_own_metrics_path_for_the_intranet_only() -> None:
    site = (DEPLOY / "nginx-charter.conf").read_text(encoding="utf-8")
    locations = _locations(site)
    upstream = re.search(r"upstream charter_web \{(.*?)\}", site, re.S)
    assert upstream is not None
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", upstream.group(1))

    for port in ports:
        body = locations[f"= /metrics/{port}"]
        assert f"proxy_pass http://127.0.0.1:{port}/metrics;" in body
        assert re.search(r"allow 10\.0\.0\.0/8;\s+deny all;", body)
    # No path balances a scrape across the instances (it would read their counters alternately).
    for name, body in locations.items():
        if "metrics" in name and not name.startswith("= /metrics/"):
            assert "proxy_pass" not in body and "return 404;" in body, name
    assert "charter_web" not in "".join(body for name, body in locations.items() if "metrics" in name)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Scrape each web instance" in readme and "每个 Web 实例各抓取一次" in readme
