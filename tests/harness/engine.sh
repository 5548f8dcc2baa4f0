#!/usr/bin/env bash
# Pick the container engine for the tests and make it reachable through the Docker API
# (molecule's docker driver and the docker SDK need one).
#   eval "$(bash tests/harness/engine.sh env)"   exports GOFLEET_ENGINE, DOCKER_HOST, CONTAINERS_CONF
#   bash tests/harness/engine.sh stop            stops the podman API service started by `env`
# Docker is used when a daemon answers; otherwise podman, configured by a project-local
# containers.conf (nothing in /etc is touched) and serving the Docker API on a socket
# under .cache/podman. stdout carries only the export lines; messages go to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir="$root/.cache/podman"
conf="$dir/containers.conf"
sock="$dir/podman.sock"
pidfile="$dir/service.pid"

say() { echo "engine: $*" >&2; }

# A Docker daemon that answers, other than our own podman socket from an earlier `env`.
docker_answers() {
    command -v docker >/dev/null || return 1
    if [[ ${DOCKER_HOST:-} == "unix://$sock" ]]; then
        DOCKER_HOST="" timeout 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1
    else
        timeout 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1
    fi
}

sock_answers() {
    [[ -S $sock ]] && curl -fsS --max-time 3 --unix-socket "$sock" http://d/_ping >/dev/null 2>&1
}

write_conf() {
    mkdir -p "$dir"
    # runc: crun fails with "cgroups in hybrid mode not supported" on these VMs.
    # default_ulimits: without them runc's setrlimit(NOFILE/NPROC) is refused.
    cat > "$conf.tmp" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
EOF
    mv "$conf.tmp" "$conf"
}

start_service() {
    if sock_answers; then say "podman API already answering on $sock"; return; fi
    rm -f "$sock"
    # setsid + nohup: the service must outlive the shell that eval'ed us.
    CONTAINERS_CONF="$conf" setsid nohup podman system service --time=0 "unix://$sock" \
        >"$dir/service.log" 2>&1 < /dev/null &
    echo $! > "$pidfile"
    for _ in $(seq 1 100); do
        if sock_answers; then say "podman API started on $sock (pid $(cat "$pidfile"))"; return; fi
        kill -0 "$(cat "$pidfile")" 2>/dev/null || break
        sleep 0.2
    done
    say "podman API did not come up; see $dir/service.log:"; tail -n 20 "$dir/service.log" >&2
    return 1
}

cmd_env() {
    local t0=$SECONDS
    if [[ ${GOFLEET_ENGINE:-} != podman ]] && docker_answers; then
        say "using docker (a daemon answers)"
        echo "export GOFLEET_ENGINE=docker"
        [[ -n ${DOCKER_HOST:-} && $DOCKER_HOST != "unix://$sock" ]] \
            && printf 'export DOCKER_HOST=%q\n' "$DOCKER_HOST" || echo "unset DOCKER_HOST"
        echo "unset CONTAINERS_CONF"
        return
    fi
    command -v podman >/dev/null || { say "neither a docker daemon nor podman; run tests/harness/host_deps.sh"; exit 1; }
    write_conf
    CONTAINERS_CONF="$conf" timeout 30 podman info --format '{{.Host.OCIRuntime.Name}}' >/dev/null \
        || { say "podman does not work (podman info failed)"; exit 1; }
    start_service
    say "using podman ($((SECONDS - t0))s)"
    echo "export GOFLEET_ENGINE=podman"
    printf 'export CONTAINERS_CONF=%q\n' "$conf"
    printf 'export DOCKER_HOST=%q\n' "unix://$sock"
}

cmd_stop() {
    # Only the process this script started, by its recorded pid.
    if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill "$(cat "$pidfile")" && say "stopped podman API (pid $(cat "$pidfile"))"
    else
        say "podman API not running"
    fi
    rm -f "$pidfile" "$sock"
}

case ${1:-} in
    env) cmd_env ;;
    stop) cmd_stop ;;
    *) echo "usage: $0 env|stop" >&2; exit 2 ;;
esac
