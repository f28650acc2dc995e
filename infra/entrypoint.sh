#!/bin/sh
# Runs one of the stock-trades commands by name, with the rest of the arguments: `consumer --target aws …`.
# APP_ROOT: where the repository is (the image's /app; tests point it at a checkout).
set -eu
command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  consumer | aggregator | producer) exec node "${APP_ROOT:-/app}/packages/$command/bin.mjs" "$@" ;;
  *)
    echo "error: unknown command \"$command\"; choose consumer, aggregator or producer" >&2
    exit 2
    ;;
esac
