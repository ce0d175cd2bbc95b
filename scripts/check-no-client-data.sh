#!/usr/bin/env bash
# check-no-client-data.sh LOGFILE BACKUP VALUE...
#
# Fails if any VALUE (a client's name, phone, email, note, a decline reason,
# a token hash: whatever the run that made the files used) occurs in
# LOGFILE or BACKUP. Both files must exist and be non-empty, and at least one
# value must be given, so a check that looked at nothing cannot pass. The
# search is for fixed strings in the raw bytes (a backup is BSON), case
# sensitive; values shorter than 4 characters are refused, as they would
# match by chance.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 LOGFILE BACKUP VALUE..." >&2
  exit 2
fi
log=$1 backup=$2
shift 2
for f in "$log" "$backup"; do
  if [ ! -s "$f" ]; then
    echo "check-no-client-data: $f is missing or empty: nothing to check" >&2
    exit 2
  fi
done

hits=0 i=0
for v in "$@"; do
  i=$((i + 1))
  if [ ${#v} -lt 4 ]; then
    echo "check-no-client-data: value '$v' is too short to search for" >&2
    exit 2
  fi
  for f in "$log" "$backup"; do
    if n=$(grep -a -F -c -- "$v" "$f"); then
      # The value itself is not printed: it stands for client data.
      echo "check-no-client-data: $f: a value (${#v} characters, value $i) occurs on $n line(s)" >&2
      hits=$((hits + 1))
    fi
  done
done
if [ "$hits" -gt 0 ]; then
  echo "check-no-client-data: $hits hit(s): client data in the logs or the backup" >&2
  exit 1
fi
echo "check-no-client-data: none of $# values in $log or $backup"
