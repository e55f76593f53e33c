#!/bin/sh
# Removes what systemd/install.sh installed; keeps the configuration, the data, the backups and
# the printgate user unless --purge. As root; reads nothing from stdin.
#
#   systemd/uninstall.sh [--root DIR] [--purge]
#
#   --root DIR   the root install.sh installed into (default /)
#   --purge      also delete /etc/printgate, /var/lib/printgate (keys, jobs, appIds: gone for good),
#                /var/backups/printgate and the printgate user and group
set -eu

ROOT="${DESTDIR:-}"
PURGE=no
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a directory}"; shift 2 ;;
    --root=*) ROOT="${1#--root=}"; shift ;;
    --purge) PURGE=yes; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
ROOT="${ROOT%/}"
say() { printf 'uninstall.sh: %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "uninstall.sh: run it as root" >&2; exit 1; }
if [ -n "$ROOT" ]; then
  [ -d "$ROOT" ] || { echo "uninstall.sh: --root $ROOT is not a directory" >&2; exit 1; }
  ROOT="$(cd "$ROOT" && pwd)"
fi

if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
  systemctl disable --now --quiet printgate.service 2>/dev/null || true
else
  systemctl --root="${ROOT:-/}" disable --quiet printgate.service 2>/dev/null || true
fi
rm -f "$ROOT/etc/systemd/system/multi-user.target.wants/printgate.service" \
  "$ROOT/etc/systemd/system/printgate.service" \
  "$ROOT/usr/local/bin/printgate" \
  "$ROOT/etc/udev/rules.d/60-printgate.rules" \
  "$ROOT/etc/modules-load.d/printgate.conf"
rm -rf "$ROOT/opt/printgate" "$ROOT/opt/printgate.new" "$ROOT/opt/printgate.old"
if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
if [ -z "$ROOT" ] && command -v udevadm >/dev/null 2>&1 && [ -S /run/udev/control ]; then udevadm control --reload || true; fi

if [ "$PURGE" = yes ]; then
  rm -rf "$ROOT/etc/printgate" "$ROOT/var/lib/printgate" "$ROOT/var/backups/printgate"
  ROOTOPT=
  [ -n "$ROOT" ] && ROOTOPT="--root=$ROOT"
  if awk -F: '$1 == "printgate" { found = 1 } END { exit !found }' "$ROOT/etc/passwd"; then userdel $ROOTOPT printgate; fi
  if awk -F: '$1 == "printgate" { found = 1 } END { exit !found }' "$ROOT/etc/group"; then groupdel $ROOTOPT printgate; fi
  say "removed printgate, its configuration, data, backups and user"
else
  say "removed printgate; kept /etc/printgate, /var/lib/printgate, /var/backups/printgate and the user printgate (--purge deletes them)"
fi
