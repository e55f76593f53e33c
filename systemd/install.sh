#!/bin/sh
# Installs (or upgrades) printgate as a system service, from this checkout. Idempotent; as root;
# reads nothing from stdin. README "Install on a Raspberry Pi as a service" walks through it.
#
#   systemd/install.sh [--root DIR] [--prebuilt] [--interface IF] [--no-start]
#
#   --root DIR      install into DIR instead of / (a throwaway root, an image being built):
#                   the files go under DIR, the paths inside them stay /opt, /etc, /var
#   --prebuilt      take dist/ and node_modules/ of the checkout as they are (no npm ci, no build)
#   --interface IF  the LAN interface for discovery.interfaces in a new config (default: the
#                   interface of the default route)
#   --no-start      install and enable, but do not (re)start the service
#
# What it does: builds the checkout (npm ci with dev dependencies, tsc), copies the build with
# production dependencies only to /opt/printgate (native modules as built here), creates the
# printgate system user (groups lp, dialout), writes /etc/printgate/printgate.yaml if absent,
# installs /usr/local/bin/printgate (the CLI as the service runs it), udev rules and the unit,
# and enables it. On an upgrade it backs the database up first (/var/backups/printgate) and keeps
# config and data; the new build migrates the database when it starts.
set -eu

ROOT="${DESTDIR:-}"
PREBUILT=no
INTERFACE=
START=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a directory}"; shift 2 ;;
    --root=*) ROOT="${1#--root=}"; shift ;;
    --prebuilt) PREBUILT=yes; shift ;;
    --interface) INTERFACE="${2:?--interface needs a name}"; shift 2 ;;
    --interface=*) INTERFACE="${1#--interface=}"; shift ;;
    --no-start) START=no; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
ROOT="${ROOT%/}"

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run it as root (sudo systemd/install.sh)"
SRC="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$SRC/package.json" ] && [ -f "$SRC/systemd/printgate.service" ] || die "run it from a printgate checkout ($SRC has no package.json)"
if [ -n "$ROOT" ]; then
  [ -d "$ROOT" ] || die "--root $ROOT is not a directory"
  ROOT="$(cd "$ROOT" && pwd)"
fi

OPT=/opt/printgate
ETC=/etc/printgate
DATA=/var/lib/printgate
BACKUPS=/var/backups/printgate
WRAPPER=/usr/local/bin/printgate
UNIT=/etc/systemd/system/printgate.service
UDEV=/etc/udev/rules.d/60-printgate.rules
MODULES=/etc/modules-load.d/printgate.conf

# --- Node.js 20 or newer, and npm ------------------------------------------------------------
NODE="${NODE:-$(command -v node || true)}"
[ -n "$NODE" ] || die "no node on PATH: install Node.js 20 or newer first (README: Debian 13: apt-get install nodejs npm; Debian 12 / Pi OS: npm install -g node@20)"
NODE="$(readlink -f "$NODE")"
NODE_MAJOR="$("$NODE" -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || die "$NODE is Node.js $("$NODE" --version); printgate needs 20 or newer (README: Debian 12 / Pi OS: npm install -g node@20, then hash -r)"
NPM="$(command -v npm || true)"
[ -n "$NPM" ] || die "no npm on PATH (apt-get install npm)"
# Debian's npm builds native modules for Debian's own Node only (its node-gyp links them to
# libnode): with a newer node from elsewhere, npm must be npm's own.
case "$(readlink -f "$NPM")" in
  /usr/share/nodejs/*)
    [ "$NODE" = "$(readlink -f /usr/bin/node 2>/dev/null)" ] ||
      die "$NPM is Debian's npm, which builds native modules for Debian's Node.js only: npm install -g npm@10 && hash -r, then run install.sh again"
    ;;
esac
# The node on PATH when npm runs must be the one checked above (npm rebuilds native modules for it).
PATH="$(dirname "$NODE"):$PATH"
export PATH
# Compile native modules against this node's own headers (Node from npm's `node` package ships
# them beside its binary, as NodeSource and the official tarball do), so node-gyp fetches nothing
# from nodejs.org, and Debian's node-gyp does not take Debian's older Node headers for a newer node.
NODE_VERSION="$("$NODE" -p 'process.versions.node')"
NODE_PREFIX="$(dirname "$(dirname "$NODE")")"
if [ -z "${npm_config_nodedir:-}" ]; then
  for dir in "$NODE_PREFIX" "$NODE_PREFIX"/node_modules/node-linux-* /usr; do
    header="$dir/include/node/node_version.h"
    [ -f "$header" ] || continue
    v="$(awk '/^#define NODE_(MAJOR|MINOR|PATCH)_VERSION /{ printf "%s%s", sep, $3; sep = "." }' "$header")"
    if [ "$v" = "$NODE_VERSION" ]; then
      npm_config_nodedir="$dir"
      export npm_config_nodedir
      break
    fi
  done
fi

# --- build in the checkout --------------------------------------------------------------------
cd "$SRC"
if [ "$PREBUILT" = no ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci (dependencies with the build tools; native modules compile, minutes on a Pi)"
    npm ci --no-audit --no-fund
  else
    say "npm run build"
    npm run build --silent
  fi
fi
[ -f dist/src/cli.js ] || die "no dist/src/cli.js in $SRC: the build failed (npm run build says why)"
[ -d node_modules ] || die "no node_modules in $SRC: run npm ci there"
VERSION="$("$NODE" -p 'require("./package.json").version')"

# --- stage /opt/printgate.new: the build with production dependencies only --------------------
STAGE="$ROOT$OPT.new"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -a package.json package-lock.json README.md dist config systemd "$STAGE/"
# The status page's files are not TypeScript: copied beside its compiled router (dist/src/http/status/).
cp -a src/http/status/assets "$STAGE/dist/src/http/status/"
# patch-package's patches, should npm run the postinstall again in the copy (npm rebuild)
[ -d patches ] && cp -a patches "$STAGE/"
cp -a node_modules "$STAGE/"
say "production dependencies only (npm prune --omit=dev; offline, keeps the native builds)"
(cd "$STAGE" && npm prune --omit=dev --no-audit --no-fund --silent)
# The native modules must load in the node the service runs (one built against other headers
# does not throw, it aborts the process): rebuild them here if they do not.
NATIVE="better-sqlite3"
[ -d "$STAGE/node_modules/unix-dgram" ] && NATIVE="$NATIVE unix-dgram"
smoke() {
  (cd "$STAGE" && "$NODE" -e 'new (require("better-sqlite3"))(":memory:").close()' >/dev/null 2>&1) &&
    { [ ! -d "$STAGE/node_modules/unix-dgram" ] || (cd "$STAGE" && "$NODE" -e 'require("unix-dgram").createSocket("unix_dgram").close()' >/dev/null 2>&1); }
}
if ! smoke; then
  say "native modules built for another Node.js: npm rebuild $NATIVE"
  # shellcheck disable=SC2086
  (cd "$STAGE" && npm rebuild $NATIVE --no-audit --no-fund) || die "npm rebuild $NATIVE failed (apt-get install build-essential python3)"
  smoke || die "$NATIVE do not load in $NODE after a rebuild: they need the headers of Node $NODE_VERSION (npm_config_nodedir=DIR, DIR/include/node/node_version.h)"
fi
"$NODE" "$STAGE/dist/src/cli.js" --version >/dev/null || die "the staged build does not start: $NODE $STAGE/dist/src/cli.js --version"
chown -R 0:0 "$STAGE"
chmod -R u+rwX,go+rX,go-w "$STAGE"

# --- the printgate user and groups ------------------------------------------------------------
ROOTOPT=
[ -n "$ROOT" ] && ROOTOPT="--root=$ROOT"
entry() { awk -F: -v n="$2" '$1 == n { print $3; exit }' "$ROOT/etc/$1"; }
for group in lp:7 dialout:20; do
  name="${group%%:*}"
  gid="${group#*:}"
  if [ -z "$(entry group "$name")" ]; then
    if awk -F: -v g="$gid" '$3 == g { found = 1 } END { exit !found }' "$ROOT/etc/group"; then
      groupadd $ROOTOPT --system "$name"
    else
      groupadd $ROOTOPT --system --gid "$gid" "$name"
    fi
  fi
done
if [ -z "$(entry passwd printgate)" ]; then
  say "creating the system user printgate (groups lp, dialout)"
  useradd $ROOTOPT --system --user-group --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin \
    --comment "printgate printer gateway" --groups lp,dialout printgate
else
  for name in lp dialout; do
    # Only when missing: usermod rewrites /etc/group (and its backup) even when nothing changes.
    awk -F: -v g="$name" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == "printgate") found = 1 } END { exit !found }' "$ROOT/etc/group" ||
      usermod $ROOTOPT --append --groups "$name" printgate
  done
fi
PG_UID="$(entry passwd printgate)"
PG_GID="$(entry group printgate)"

# --- directories ------------------------------------------------------------------------------
install -d -m 0755 -o 0 -g 0 "$ROOT/opt" "$ROOT/etc" "$ROOT/usr/local/bin" "$ROOT/etc/systemd/system" "$ROOT/etc/udev/rules.d" "$ROOT/etc/modules-load.d" "$ROOT/var/lib" "$ROOT/var/backups"
install -d -m 0750 -o 0 -g "$PG_GID" "$ROOT$ETC"
install -d -m 0750 -o "$PG_UID" -g "$PG_GID" "$ROOT$DATA" "$ROOT$BACKUPS"

# --- upgrade: back the database up, stop the running service ----------------------------------
RUNNING_SYSTEMD=no
[ -z "$ROOT" ] && [ -d /run/systemd/system ] && RUNNING_SYSTEMD=yes
UPGRADE=no
[ -d "$ROOT$OPT/dist" ] && UPGRADE=yes
if [ -f "$ROOT$DATA/printgate.db" ]; then
  BACKUP="$BACKUPS/printgate-$(date -u +%Y%m%dT%H%M%SZ)-before-$VERSION.db"
  say "backing the database up to $BACKUP"
  # Consistent while the old version still runs (SQLite's online backup); as root it gives any
  # -wal/-shm it opens back to the database's owner.
  PRINTGATE_CONFIG= PRINTGATE_DATA_DIR="$ROOT$DATA" "$NODE" "$STAGE/dist/src/cli.js" backup "$ROOT$BACKUP" --config /dev/null
  chown "$PG_UID:$PG_GID" "$ROOT$BACKUP"
  chmod 0600 "$ROOT$BACKUP"
fi
if [ "$RUNNING_SYSTEMD" = yes ] && systemctl is-active --quiet printgate.service; then
  say "stopping printgate for the upgrade"
  systemctl stop printgate.service
fi

# --- swap the build in ------------------------------------------------------------------------
rm -rf "$ROOT$OPT.old"
[ -e "$ROOT$OPT" ] && mv "$ROOT$OPT" "$ROOT$OPT.old"
mv "$STAGE" "$ROOT$OPT"
rm -rf "$ROOT$OPT.old"

# --- configuration: written once, never overwritten -------------------------------------------
if [ ! -f "$ROOT$ETC/printgate.yaml" ]; then
  if [ -z "$INTERFACE" ]; then
    # The interface of the default route (/proc/net/route: destination 00000000).
    INTERFACE="$(awk 'NR > 1 && $2 == "00000000" { print $1; exit }' /proc/net/route 2>/dev/null || true)"
  fi
  [ -n "$INTERFACE" ] || say "no default route: discovery.interfaces stays [] (mDNS off); set it in $ETC/printgate.yaml"
  "$NODE" "$ROOT$OPT/systemd/write-config.mjs" --build "$ROOT$OPT" --example "$ROOT$OPT/config/printgate.example.yaml" \
    --out "$ROOT$ETC/printgate.yaml" --data-dir "$DATA" --interface "$INTERFACE"
  chown "0:$PG_GID" "$ROOT$ETC/printgate.yaml"
  chmod 0640 "$ROOT$ETC/printgate.yaml"
  say "wrote $ETC/printgate.yaml (dataDir $DATA, discovery on ${INTERFACE:-no interface}): add your printers there"
else
  say "kept $ETC/printgate.yaml"
fi

# --- the printgate command, as the service runs it --------------------------------------------
sed -e "s#@NODE@#$NODE#g" -e "s#@OPT@#$OPT#g" -e "s#@ETC@#$ETC#g" "$ROOT$OPT/systemd/printgate-wrapper.sh" >"$ROOT$WRAPPER.new"
chmod 0755 "$ROOT$WRAPPER.new"
mv "$ROOT$WRAPPER.new" "$ROOT$WRAPPER"

# --- devices: udev rules and the modules whose device groups the unit allows -----------------
install -m 0644 -o 0 -g 0 "$ROOT$OPT/systemd/60-printgate.rules" "$ROOT$UDEV"
install -m 0644 -o 0 -g 0 "$ROOT$OPT/systemd/modules-load.conf" "$ROOT$MODULES"
if [ -z "$ROOT" ]; then
  for module in usblp usbserial cdc_acm; do modprobe -q "$module" 2>/dev/null || true; done
  if command -v udevadm >/dev/null 2>&1 && [ -S /run/udev/control ]; then
    udevadm control --reload || true
    udevadm trigger --subsystem-match=usbmisc --subsystem-match=tty --action=change || true
  fi
fi

# --- the unit ---------------------------------------------------------------------------------
sed -e "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" "$ROOT$OPT/systemd/printgate.service" >"$ROOT$UNIT.new"
chmod 0644 "$ROOT$UNIT.new"
mv "$ROOT$UNIT.new" "$ROOT$UNIT"
if [ "$RUNNING_SYSTEMD" = yes ]; then
  systemctl daemon-reload
  systemctl enable --quiet printgate.service
  if [ "$START" = yes ]; then
    systemctl restart printgate.service
    say "printgate $VERSION is running: journalctl -u printgate -f"
  fi
else
  if ! systemctl --root="${ROOT:-/}" enable --quiet printgate.service 2>/dev/null; then
    install -d -m 0755 "$ROOT/etc/systemd/system/multi-user.target.wants"
    ln -sfn "$UNIT" "$ROOT/etc/systemd/system/multi-user.target.wants/printgate.service"
  fi
  say "enabled printgate.service (systemd is not running here: it starts at the next boot)"
fi

if [ "$UPGRADE" = yes ]; then
  say "upgraded to printgate $VERSION; config and data kept${BACKUP:+, database backed up to $BACKUP}"
else
  say "installed printgate $VERSION. Next: add printers to $ETC/printgate.yaml, then: printgate doctor; systemctl restart printgate"
fi
