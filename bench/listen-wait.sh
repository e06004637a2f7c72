# listen-wait.sh — sourced by the bench scripts: listen_wait PORT waits up to 30 s for a
# listening socket on PORT (a server started in the background is ready).
listen_wait() {
  local _
  for _ in $(seq 1 300); do
    ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN && return 0
    sleep 0.1
  done
  return 1
}
