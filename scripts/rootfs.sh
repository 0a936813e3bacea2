#!/bin/sh
# Assembles the whole root filesystem of the `FROM scratch` Docker image:
#
#   sh scripts/rootfs.sh BINARY ROOT
#
# ROOT receives the binary (/usr/local/bin/maximize), its dynamic loader and shared libraries as `ldd`
# lists them, /etc/passwd and /etc/group with the non-root user, the token volume /data and /tmp.
# The Dockerfile's rootfs stage runs this and copies ROOT into the image; test/dist/rootfs.test.ts runs
# the same script and starts the binary in ROOT with chroot, so both see exactly the same files.
# Needs root (chown). At run time the container also needs /proc (Bun reads /proc/self/exe).
set -eu

MAXIMIZE_UID=10001
MAXIMIZE_GID=10001

fail() {
  echo "rootfs: $*" >&2
  exit 1
}

# The loader and every library the binary links, as absolute host paths.
shared_objects() {
  ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# Copies a host file to the same path under the root, resolving symlinks (scratch has no /lib → /usr/lib).
copy_host_file() {
  mkdir -p "$2$(dirname "$1")"
  cp -L "$1" "$2$1"
}

write_accounts() {
  mkdir -p "$1/etc"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nmaximize:x:%s:%s:maximize:/data:/sbin/nologin\n' \
    "$MAXIMIZE_UID" "$MAXIMIZE_GID" >"$1/etc/passwd"
  printf 'root:x:0:\nmaximize:x:%s:\n' "$MAXIMIZE_GID" >"$1/etc/group"
  printf 'hosts: files dns\n' >"$1/etc/nsswitch.conf"
  chmod 0644 "$1/etc/passwd" "$1/etc/group" "$1/etc/nsswitch.conf"
}

make_directories() {
  mkdir -p "$1/data" "$1/tmp"
  chown "$MAXIMIZE_UID:$MAXIMIZE_GID" "$1/data"
  chmod 0700 "$1/data"
  chmod 1777 "$1/tmp"
}

main() {
  [ "$#" -eq 2 ] || fail "usage: rootfs.sh BINARY ROOT"
  binary=$1
  root=$2
  [ -x "$binary" ] || fail "$binary is not an executable file"
  [ ! -e "$root" ] || [ -z "$(ls -A "$root")" ] || fail "$root exists and is not empty"
  objects=$(shared_objects "$binary") || fail "ldd could not read $binary"
  [ -n "$objects" ] || fail "ldd found no loader for $binary (static binaries need no rootfs.sh)"

  mkdir -p "$root/usr/local/bin"
  cp "$binary" "$root/usr/local/bin/maximize"
  chmod 0755 "$root/usr/local/bin/maximize"
  for object in $objects; do
    copy_host_file "$object" "$root"
  done
  write_accounts "$root"
  make_directories "$root"
}

main "$@"
