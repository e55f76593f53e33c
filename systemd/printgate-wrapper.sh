#!/bin/sh
# printgate: the CLI as the service runs it — as the user printgate, with the service's
# configuration (@ETC@/printgate.yaml, which names dataDir), so `printgate keys create` lands
# where the service reads. Installed by systemd/install.sh as /usr/local/bin/printgate.
# --config FILE on the command line still wins. The caller's environment is not passed on
# (PRINTGATE_* included): the command sees what the service sees.
NODE=@NODE@
CLI=@OPT@/dist/src/cli.js
CONFIG=@ETC@/printgate.yaml

case " $* " in
  *" --config "*|*" --config="*) ;;
  *) set -- "$@" --config "$CONFIG" ;;
esac
# The service's environment, as systemd gives it: nothing of the caller's (PRINTGATE_* included).
set -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/var/lib/printgate NODE_ENV=production ${TERM:+TERM=$TERM} "$NODE" "$CLI" "$@"

if [ "$(id -u)" = 0 ]; then
  # Never as root: files it made in the data directory would be root's, and the service could no
  # longer write its own database.
  exec setpriv --reuid=printgate --regid=printgate --init-groups --inh-caps=-all -- "$@"
elif [ "$(id -un)" = printgate ]; then
  exec "$@"
else
  echo "printgate: the gateway's data belongs to the user printgate: run it as root (sudo printgate ...)" >&2
  exit 77
fi
