"""The deploy files agree with the code: paths, ports and environment names have one source.

The source is ``bot.endpoints`` for what the bot serves and ``bot.settings`` for what it reads.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import _parser
from bot.endpoints import DEFAULT_PORT, HEALTH_PATH, METRICS_PATH
from bot.settings import DEFAULT_GRACE_SECONDS, Settings, env_names
from bot.slack.server import ACK_DRAIN_SECONDS, SERVICE_STOP_SECONDS, ServerOptions
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
# Variables the deploy files set for things other than the bot: the interpreter, pip, and the
# database container's own settings.
NOT_SETTINGS = {
    "PATH",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "PIP_NO_CACHE_DIR",
    "PIP_DISABLE_PIP_VERSION_CHECK",
}
POSTGRES_CONTAINER = {"POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD"}


class UnknownSetting(AssertionError):
    """A deploy file names an environment variable that the settings do not read."""


def check_names(names: object, where: str, also: set[str] = frozenset()) -> None:
    """Every name is one the settings read (or one of ``also``); fails naming the file."""
    known = set(env_names()) | set(also)
    unknown = sorted(set(names) - known)  # type: ignore[arg-type]
    if unknown:
        raise UnknownSetting(f"{where}: {', '.join(unknown)} not defined in bot/settings.py")


def load_yaml(name: str) -> Any:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


def env_file(name: str) -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def valid_settings(env: dict[str, str], where: str) -> Settings:
    """The settings these values make; a value the settings reject fails the test here."""
    try:
        return Settings(_env_file=None, **env)
    except ValueError as exc:
        pytest.fail(f"{where}: {exc}")


# -- every YAML file ---------------------------------------------------------------------------


def yaml_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_there_are_yaml_files_to_check() -> None:
    names = {p.relative_to(DEPLOY).as_posix() for p in yaml_files()}
    assert {"docker-compose.yml", "k8s/deployment.yaml", "k8s/service.yaml"} <= names


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_yaml_parses(path: Path) -> None:
    documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert documents and all(isinstance(d, dict) for d in documents)


# -- the check itself -----------------------------------------------------------------------------


def test_the_name_check_rejects_a_name_the_settings_do_not_define() -> None:
    check_names(["SLACK_BOT_TOKEN", "QABOT_CONTENT"], "fine")
    with pytest.raises(UnknownSetting, match="QABOT_CONTENTS"):
        check_names(["SLACK_BOT_TOKEN", "QABOT_CONTENTS"], "deploy/x.yaml")


# -- docker compose ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml("docker-compose.yml")


def bot_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: svc
        for name, svc in compose["services"].items()
        if svc.get("image", "").startswith("qabot") or "build" in svc
    }


def test_compose_env_names_are_settings(compose: dict[str, Any]) -> None:
    services = bot_services(compose)
    assert set(services) == {"bot", "bot-socket"}
    for name, svc in services.items():
        check_names(svc["environment"], f"docker-compose.yml: {name}")
        assert svc["env_file"] == ".env"
    check_names(compose["services"]["postgres"]["environment"], "postgres", POSTGRES_CONTAINER)


def test_compose_interpolations_come_from_the_env_example(compose: dict[str, Any]) -> None:
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    example = env_file(".env.example")
    assert interpolated and interpolated <= set(example)
    check_names(example, ".env.example", interpolated)


def test_compose_values_make_valid_settings(compose: dict[str, Any]) -> None:
    example = env_file(".env.example")
    for name, svc in bot_services(compose).items():
        env = {**example, **svc["environment"]}
        env = {k: v.replace("${POSTGRES_PASSWORD}", "pw") for k, v in env.items()}
        settings = valid_settings(env, f"docker-compose.yml: {name}")
        assert settings.database_url.startswith("postgresql+psycopg://qabot:pw@postgres:5432/")
        assert settings.log_format == "json"


def test_compose_http_service(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    assert _parser().parse_args(["serve", *bot["command"]]).http is True
    port = int(bot["environment"]["PORT"])
    assert port == DEFAULT_PORT
    assert [p.rsplit(":", 1)[1] for p in bot["ports"]] == [str(port)]
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    # The image's HEALTHCHECK applies: it probes $PORT, the port set here.
    assert "healthcheck" not in bot


def test_compose_socket_service(compose: dict[str, Any]) -> None:
    svc = compose["services"]["bot-socket"]
    assert svc["profiles"] == ["socket"]
    assert "--http" not in (svc.get("command") or [])
    port = int(svc["environment"]["QABOT_METRICS_PORT"])
    assert [p.rsplit(":", 1)[1] for p in svc["ports"]] == [str(port)]
    probe = " ".join(svc["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}{HEALTH_PATH}" in probe


def test_compose_database_volume(compose: dict[str, Any]) -> None:
    pg = compose["services"]["postgres"]
    assert "qabot-db:/var/lib/postgresql/data" in pg["volumes"]
    assert "qabot-db" in compose["volumes"]


# -- Kubernetes --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deployment() -> dict[str, Any]:
    doc = load_yaml("k8s/deployment.yaml")
    assert doc["kind"] == "Deployment"
    return doc


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def named_port(c: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in c["ports"] if p["name"] == port)


def test_k8s_env_names_are_settings(deployment: dict[str, Any]) -> None:
    c = container(deployment)
    check_names([e["name"] for e in c["env"]], "k8s/deployment.yaml")
    secret = load_yaml("k8s/secret.example.yaml")
    check_names(secret["stringData"], "k8s/secret.example.yaml")
    assert [e["secretRef"]["name"] for e in c["envFrom"]] == [secret["metadata"]["name"]]
    env = {e["name"]: e["value"] for e in c["env"]} | secret["stringData"]
    settings = valid_settings(env, "k8s")
    assert settings.database_url.startswith("postgresql")  # replicas share one database
    assert settings.slack_app_token is None  # HTTP mode behind the Service


def test_k8s_ports_and_probes(deployment: dict[str, Any]) -> None:
    c = container(deployment)
    env = {e["name"]: e["value"] for e in c["env"]}
    assert named_port(c, "http") == int(env["PORT"]) == DEFAULT_PORT
    assert _parser().parse_args(["serve", *c["args"]]).http is True
    for probe in ("readinessProbe", "livenessProbe"):
        get = c[probe]["httpGet"]
        assert get["path"] == HEALTH_PATH
        assert named_port(c, get["port"]) == DEFAULT_PORT
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] == METRICS_PATH
    assert int(annotations["prometheus.io/port"]) == DEFAULT_PORT

    service = load_yaml("k8s/service.yaml")
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    (port,) = service["spec"]["ports"]
    assert named_port(c, port["targetPort"]) == DEFAULT_PORT


def test_k8s_replicas_resources_and_content(deployment: dict[str, Any]) -> None:
    spec = deployment["spec"]["template"]["spec"]
    c = container(deployment)
    assert deployment["spec"]["replicas"] == 2
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= c["resources"][kind].keys()
    assert spec["securityContext"]["runAsNonRoot"] is True
    # Content from a ConfigMap mounted as a directory: a subPath mount would never update.
    content = Path({e["name"]: e["value"] for e in c["env"]}["QABOT_CONTENT"])
    (mount,) = [m for m in c["volumeMounts"] if m["mountPath"] == str(content.parent)]
    assert "subPath" not in mount
    volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
    assert volume["configMap"]["name"] == "qabot-content"


def test_kustomization_lists_existing_files() -> None:
    kustomization = load_yaml("k8s/kustomization.yaml")
    for resource in kustomization["resources"]:
        assert (DEPLOY / "k8s" / resource).is_file()


# -- Dockerfile --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return parse_dockerfile()


def parse_dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, args = line.strip().partition(" ")
            pairs.append((instruction.upper(), args.strip()))
    return pairs


def instructions(dockerfile: list[tuple[str, str]], name: str) -> list[str]:
    return [args for instruction, args in dockerfile if instruction == name]


def docker_env(dockerfile: list[tuple[str, str]]) -> dict[str, str]:
    env = {}
    for args in instructions(dockerfile, "ENV"):
        for pair in shlex.split(args):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def test_dockerfile_stages_user_and_entrypoint(dockerfile: list[tuple[str, str]]) -> None:
    assert len(instructions(dockerfile, "FROM")) >= 2
    (base,) = [a for a in instructions(dockerfile, "ARG") if a.startswith("PYTHON_IMAGE=")]
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11-slim(-\w+)?", base)
    (user,) = instructions(dockerfile, "USER")
    assert user.split(":")[0] not in ("0", "root")
    (entrypoint,) = instructions(dockerfile, "ENTRYPOINT")
    assert entrypoint == '["qabot", "serve"]'
    assert _parser().parse_args(["serve"]).handler.__name__ == "cmd_serve"


def test_dockerfile_env_and_content(dockerfile: list[tuple[str, str]]) -> None:
    env = docker_env(dockerfile)
    check_names(env.keys() - NOT_SETTINGS, "Dockerfile")
    valid_settings({k: v for k, v in env.items() if k not in NOT_SETTINGS}, "Dockerfile")
    assert int(env["PORT"]) == DEFAULT_PORT
    (expose,) = instructions(dockerfile, "EXPOSE")
    assert int(expose) == DEFAULT_PORT
    copies = [shlex.split(a) for a in instructions(dockerfile, "COPY")]
    assert ["content/qa.yaml", env["QABOT_CONTENT"]] in copies
    for copy in copies:
        if not copy[0].startswith("--from"):
            assert all((ROOT / source).exists() for source in copy[:-1]), copy


def test_dockerignore_keeps_what_the_image_copies() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"!pyproject.toml", "!README.md", "!bot", "!content"} <= set(lines)
    assert ".env" not in [line.lstrip("!") for line in lines if line.startswith("!")]


def healthcheck_command(dockerfile: list[tuple[str, str]]) -> str:
    (healthcheck,) = instructions(dockerfile, "HEALTHCHECK")
    options, _, command = healthcheck.partition("CMD ")
    assert "--interval" in options and "--timeout" in options
    return command


def test_dockerfile_healthcheck_probes_health_path(dockerfile: list[tuple[str, str]]) -> None:
    command = healthcheck_command(dockerfile)
    assert f"http://127.0.0.1:${{PORT:-{DEFAULT_PORT}}}{HEALTH_PATH}" in command
    assert "curl" not in command and "wget" not in command


# -- systemd -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unit() -> dict[str, list[tuple[str, str]]]:
    """Sections of the unit file as (key, value) lists: systemd keys may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for line in (DEPLOY / "qabot.service").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict[str, list[tuple[str, str]]], key: str) -> list[str]:
    return [v for k, v in unit["Service"] if k == key]


def test_systemd_runs_socket_mode_with_sqlite(unit: dict[str, list[tuple[str, str]]]) -> None:
    (exec_start,) = values(unit, "ExecStart")
    argv = shlex.split(exec_start)
    assert Path(argv[0]).name == "qabot" and argv[1:] == ["serve"]
    assert _parser().parse_args(argv[1:]).http is False
    assert values(unit, "Restart") == ["on-failure"]
    assert values(unit, "EnvironmentFile") == ["/etc/qabot/qabot.env"]
    assert values(unit, "ExecReload") == ["/bin/kill -HUP $MAINPID"]  # hot reload on SIGHUP
    assert ("WantedBy", "multi-user.target") in unit["Install"]

    env = dict(v.split("=", 1) for v in values(unit, "Environment"))
    check_names(env, "qabot.service")
    example = env_file("qabot.env.example")
    check_names(example, "qabot.env.example")
    settings = valid_settings({**env, **example}, "qabot.service")
    assert settings.database_url.startswith("sqlite:////var/lib/qabot/")
    assert (settings.slack_app_token is not None) and settings.slack_signing_secret is None
    state = values(unit, "StateDirectory")
    assert state and settings.database_url.startswith(f"sqlite:////var/lib/{state[0]}/")


# -- shutdown fits the time each deploy file allows ---------------------------------------------

# What the process needs after stop(): closing the store, and the interpreter's exit.
EXIT_MARGIN_S = 4
# The stop timeout Docker gives a container whose compose service sets none.
DOCKER_DEFAULT_STOP_S = 10.0
_UNITS = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}


def seconds(value: str | int) -> float:
    """A duration as Kubernetes, systemd or compose write it: 30, "30s", "1min 30s", "1m30s"."""
    text = str(value).replace(" ", "")
    if text.isdigit():
        return float(text)
    parts = re.findall(r"(\d+)([a-z]+)", text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a duration: {value!r}"
    return sum(int(n) * _UNITS[u] for n, u in parts)


def shutdown_limits(
    compose: dict[str, Any],
    deployment: dict[str, Any],
    unit: dict[str, list[tuple[str, str]]],
) -> dict[str, tuple[float, dict[str, str]]]:
    """Each deploy file's time from SIGTERM to SIGKILL, with the environment it gives the bot."""
    c = container(deployment)
    k8s_env = {e["name"]: e["value"] for e in c["env"]}
    k8s_env |= load_yaml("k8s/secret.example.yaml")["stringData"]
    limits = {
        "k8s/deployment.yaml": (
            seconds(deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]),
            k8s_env,
        )
    }
    (timeout,) = values(unit, "TimeoutStopSec")
    unit_env = dict(v.split("=", 1) for v in values(unit, "Environment"))
    limits["qabot.service"] = (seconds(timeout), unit_env | env_file("qabot.env.example"))
    for name, svc in bot_services(compose).items():
        limit = seconds(svc["stop_grace_period"]) if "stop_grace_period" in svc else None
        env = {**env_file(".env.example"), **svc["environment"]}
        env = {k: v.replace("${POSTGRES_PASSWORD}", "pw") for k, v in env.items()}
        limits[f"docker-compose.yml: {name}"] = (limit or DOCKER_DEFAULT_STOP_S, env)
    return limits


def test_the_default_grace_is_the_servers_and_the_settings() -> None:
    assert Settings(_env_file=None).socket_grace_seconds == DEFAULT_GRACE_SECONDS
    assert ServerOptions().shutdown_grace == ServerOptions().socket_grace == DEFAULT_GRACE_SECONDS


def test_shutdown_fits_the_stop_timeout_of_every_deploy_file(
    compose: dict[str, Any],
    deployment: dict[str, Any],
    unit: dict[str, list[tuple[str, str]]],
) -> None:
    limits = shutdown_limits(compose, deployment, unit)
    assert {"k8s/deployment.yaml", "qabot.service", "docker-compose.yml: bot"} <= limits.keys()
    for where, (limit, env) in limits.items():
        grace = valid_settings(env, where).socket_grace_seconds
        # stop() ends within the grace (or the ack drain, if longer) and the services' moment.
        needed = max(grace, ACK_DRAIN_SECONDS) + SERVICE_STOP_SECONDS + EXIT_MARGIN_S
        assert needed <= limit, f"{where}: stopping may take {needed} s, SIGKILL comes at {limit} s"


def test_durations_read_as_the_deploy_tools_write_them() -> None:
    assert seconds(30) == seconds("30") == seconds("30s") == 30
    assert seconds("1min 30s") == seconds("1m30s") == 90
    with pytest.raises(AssertionError):
        seconds("soon")


# -- Prometheus alerts -------------------------------------------------------------------------


def test_alerts_use_metrics_the_bot_exposes() -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from bot.observability.metrics import Metrics

    metrics = Metrics()
    # Labelled series appear once they have a value: give every kind one.
    metrics.observe_api_error("chat.postMessage", 500)
    metrics.observe_retry("chat.postMessage", "AsyncRateLimitErrorRetryHandler")
    metrics.observe_content(22, "v1")
    metrics.observe_reply_job("digest", delivered=False)
    metrics.observe_reply_retry("command")
    exposed = set()
    for family in text_string_to_metric_families(metrics.render()[0].decode()):
        exposed |= {s.name for s in family.samples}
    rules = load_yaml("prometheus/alerts.yml")["groups"][0]["rules"]
    used = set()
    for rule in rules:
        assert {"alert", "expr", "labels", "annotations"} <= rule.keys()
        used |= set(re.findall(r"\bqabot_[a-z_]+", rule["expr"]))
    assert used and used <= exposed, used - exposed


def test_kustomize_builds_the_manifests() -> None:
    """The real kustomize (inside kubectl) accepts the kustomization; skipped without kubectl."""
    import shutil
    import subprocess

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    built = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "k8s")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    docs = {d["kind"]: d for d in yaml.safe_load_all(built)}
    assert set(docs) == {"Deployment", "Service", "PodDisruptionBudget", "PersistentVolumeClaim"}
    for doc in docs.values():
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "qabot"
    assert docs["Deployment"]["spec"]["replicas"] == 2


# -- the learned phrasings file is writable, and shared where there are replicas ---------------


def test_the_learned_file_is_written_where_the_bots_user_may_write(
    dockerfile: list[tuple[str, str]], unit: dict[str, list[tuple[str, str]]]
) -> None:
    learned = Path(docker_env(dockerfile)["QABOT_LEARNED"])
    made = " ".join(instructions(dockerfile, "RUN"))
    assert "chown qabot:qabot" in made and str(learned.parent) in made
    env = dict(v.split("=", 1) for v in values(unit, "Environment"))
    state = values(unit, "StateDirectory")[0]
    assert Path(env["QABOT_LEARNED"]).parent == Path("/var/lib") / state


def test_compose_bots_share_the_learned_file(
    compose: dict[str, Any], dockerfile: list[tuple[str, str]]
) -> None:
    learned = Path(docker_env(dockerfile)["QABOT_LEARNED"])
    for name in ("bot", "bot-socket"):
        mounts = [v.split(":") for v in compose["services"][name]["volumes"]]
        assert [volume for volume, path, *_ in mounts if Path(path) == learned.parent] == [
            "qabot-state"
        ], name
    assert "qabot-state" in compose["volumes"]


def test_k8s_replicas_share_the_learned_file(deployment: dict[str, Any]) -> None:
    c = container(deployment)
    learned = Path({e["name"]: e["value"] for e in c["env"]}["QABOT_LEARNED"])
    (mount,) = [m for m in c["volumeMounts"] if m["mountPath"] == str(learned.parent)]
    assert not mount.get("readOnly")
    spec = deployment["spec"]["template"]["spec"]
    volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
    claim = load_yaml("k8s/state.yaml")
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]  # pods on any node
    assert spec["securityContext"]["fsGroup"] == spec["securityContext"]["runAsUser"]
    assert "state.yaml" in load_yaml("k8s/kustomization.yaml")["resources"]
