#!/bin/sh
# maximize installer: downloads the release binary for this machine, verifies its SHA-256 against the
# release's SHA256SUMS, and installs it to ~/.maximize/bin.
#
#   curl -fsSL https://github.com/maximize-proxy/maximize/releases/latest/download/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- --version 0.2.0 --no-modify-path
#
# Options:
#   --version V         install release V (e.g. 0.2.0 or v0.2.0) instead of the latest
#   --install-dir DIR   install into DIR (default $MAXIMIZE_INSTALL_DIR or ~/.maximize/bin)
#   --no-modify-path    do not edit a shell startup file; print the PATH line instead
#
# Environment:
#   MAXIMIZE_DOWNLOAD_BASE  releases URL laid out like GitHub's: BASE/latest/download/ASSET and
#                           BASE/download/vV/ASSET (default: the GitHub releases of the project)
#   MAXIMIZE_INSTALL_DIR    default install directory
#
# Everything below runs from `main` on the last line, so a partially downloaded script does nothing.
set -eu

# scripts/release: .github/workflows/release.yml rewrites this line to the repository that publishes the release.
DEFAULT_DOWNLOAD_BASE="https://github.com/maximize-proxy/maximize/releases"

say() {
  printf '%s\n' "$*"
}

fail() {
  printf 'maximize installer: error: %s\n' "$*" >&2
  exit 1
}

has() {
  command -v "$1" >/dev/null 2>&1
}

usage() {
  say "usage: install.sh [--version V] [--install-dir DIR] [--no-modify-path]"
}

detect_os() {
  case "$(uname -s)" in
    Linux) say linux ;;
    Darwin) say darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) fail "on Windows, download maximize-windows-x64.zip from the releases page" ;;
    *) fail "unsupported operating system: $(uname -s)" ;;
  esac
}

detect_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "unsupported CPU architecture: $(uname -m)" ;;
  esac
  # An x64 shell under Rosetta 2 on Apple silicon: the native arm64 build is the right one.
  if [ "$1" = darwin ] && [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
    arch=arm64
  fi
  say "$arch"
}

is_musl() {
  [ -f /etc/alpine-release ] && return 0
  for loader in /lib/ld-musl-*; do
    [ -e "$loader" ] && return 0
  done
  ldd --version 2>&1 | grep -qi musl
}

has_avx2() {
  if [ "$1" = darwin ]; then
    sysctl -n machdep.cpu.leaf7_features 2>/dev/null | grep -qi avx2
    return
  fi
  grep -qiw avx2 /proc/cpuinfo 2>/dev/null
}

# maximize-<os>-<arch>[-variant]: the release asset for this machine (the table in scripts/build.ts).
detect_asset() {
  os=$(detect_os)
  arch=$(detect_arch "$os")
  if [ "$os" = darwin ]; then
    say "maximize-darwin-$arch"
    return
  fi
  if is_musl; then
    [ "$arch" = arm64 ] || has_avx2 linux || say "warning: this CPU lacks AVX2 and there is no baseline musl build; it may not run" >&2
    say "maximize-linux-$arch-musl"
    return
  fi
  if [ "$arch" = x64 ] && ! has_avx2 linux; then
    say "maximize-linux-x64-baseline"
    return
  fi
  say "maximize-linux-$arch"
}

# URL of the directory holding one release's assets.
release_url() {
  base=${MAXIMIZE_DOWNLOAD_BASE:-$DEFAULT_DOWNLOAD_BASE}
  base=${base%/}
  if [ -z "$1" ]; then
    say "$base/latest/download"
    return
  fi
  say "$base/download/v$1"
}

# Downloads URL $1 to file $2 (with curl's progress bar when $3 is "progress" and stderr is a terminal).
# Returns 0, 2 when the server answers 404 (no such file), or 1 on any other failure, the reason in $tmp/download.log.
fetch_file() {
  : >"$tmp/download.log"
  if has curl; then
    if [ "${3:-}" = progress ] && [ -t 2 ]; then
      code=$(curl --location --retry 2 --progress-bar --output "$2" --write-out '%{http_code}' "$1") || return 1
    else
      code=$(curl --location --retry 2 --silent --show-error --output "$2" --write-out '%{http_code}' "$1" 2>"$tmp/download.log") || return 1
    fi
    case "$code" in
      2??) return 0 ;;
      404) return 2 ;;
    esac
    say "the server answered HTTP $code" >"$tmp/download.log"
    return 1
  fi
  if has wget; then
    # Not -q: GNU wget then says nothing at all about why; the log keeps "ERROR 404" (GNU) or "404 Not Found" (busybox).
    wget -O "$2" "$1" 2>"$tmp/download.log" && return 0
    grep -qE 'ERROR 404|404 Not Found' "$tmp/download.log" && return 2
    return 1
  fi
  fail "need curl or wget to download $1"
}

# Downloads $2 of the release at URL $1 into $tmp, telling 404 (no such release or asset) from a network failure.
download() {
  status=0
  fetch_file "$1/$2" "$tmp/$2" "${3:-}" || status=$?
  [ "$status" -eq 0 ] && return 0
  base=${MAXIMIZE_DOWNLOAD_BASE:-$DEFAULT_DOWNLOAD_BASE}
  if [ "$status" -eq 2 ]; then
    [ "$2" != SHA256SUMS ] && fail "the release at $1 has no $2 (no build for this platform in it?); the releases and their files are listed at ${base%/}"
    [ -n "$version" ] && fail "there is no release v$version ($1/$2 answered 404); the versions that exist are listed at ${base%/} — or drop --version for the latest"
    fail "no release found at $1 ($2 answered 404); look at ${base%/}"
  fi
  reason=$(tail -n 1 "$tmp/download.log" 2>/dev/null || true)
  fail "could not download $1/$2${reason:+ ($reason)} — check the network connection (and any proxy settings), then run the installer again"
}

sha256_of() {
  if has sha256sum; then
    sha256sum "$1" | cut -d ' ' -f 1
    return
  fi
  if has shasum; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
    return
  fi
  if has openssl; then
    openssl dgst -sha256 "$1" | sed 's/^.*= *//'
    return
  fi
  fail "need sha256sum, shasum or openssl to verify the download"
}

# Refuses unless SHA256SUMS ($1) lists file name $2 with the hash of file $3.
verify_checksum() {
  expected=$(awk -v name="$2" '$2 == name || $2 == ("*" name) { print $1; exit }' "$1")
  [ -n "$expected" ] || fail "SHA256SUMS has no entry for $2; refusing to install"
  actual=$(sha256_of "$3")
  [ "$actual" = "$expected" ] || fail "checksum mismatch for $2 (expected $expected, got $actual); refusing to install"
}

# Prints the startup file to edit and the line to add for the user's login shell.
path_line() {
  case "$(basename "${SHELL:-sh}")" in
    fish) say "${XDG_CONFIG_HOME:-$HOME/.config}/fish/config.fish|fish_add_path \"$1\"" ;;
    zsh) say "${ZDOTDIR:-$HOME}/.zshrc|export PATH=\"$1:\$PATH\"" ;;
    bash)
      if [ "$(uname -s)" = Darwin ]; then
        say "$HOME/.bash_profile|export PATH=\"$1:\$PATH\""
        return
      fi
      say "$HOME/.bashrc|export PATH=\"$1:\$PATH\""
      ;;
    *) say "$HOME/.profile|export PATH=\"$1:\$PATH\"" ;;
  esac
}

# Adds the PATH line once (idempotent); returns 1 when the user still has to act in this shell.
update_path() {
  bin_dir=$1
  modify=$2
  entry=$(path_line "$bin_dir")
  rc_file=${entry%%|*}
  line=${entry#*|}
  if [ "$modify" = no ]; then
    say "Add maximize to your PATH (e.g. in $rc_file):"
    say "  $line"
    return 1
  fi
  if [ -f "$rc_file" ] && grep -qxF "$line" "$rc_file"; then
    say "PATH already set in $rc_file"
  else
    mkdir -p "$(dirname "$rc_file")"
    printf '\n# maximize\n%s\n' "$line" >>"$rc_file"
    say "Added $bin_dir to PATH in $rc_file"
  fi
  case ":${PATH:-}:" in
    *":$bin_dir:"*) return 0 ;;
  esac
  say "To use it in this shell now, run:"
  say "  $line"
  return 1
}

# Copies the binary next to its destination, checks it runs (and is version $3 when pinned; $4 is a hint
# for when it does not run), then renames it over the old one, so a failed install keeps the previous one.
install_binary() {
  staged="$2/.maximize.new.$$"
  mkdir -p "$2" || fail "cannot create $2"
  cp "$1" "$staged" || fail "cannot write to $2"
  chmod 0755 "$staged"
  staged_version=$("$staged" --version 2>/dev/null) || staged_version=""
  if [ -z "$staged_version" ] || { [ -n "$3" ] && [ "$staged_version" != "$3" ]; }; then
    rm -f "$staged"
    [ -n "$staged_version" ] || fail "the downloaded binary does not run on this machine$4"
    fail "asked for version $3 but the release contains $staged_version"
  fi
  mv -f "$staged" "$2/maximize" || fail "cannot install into $2"
  say "$staged_version"
}

next_steps() {
  say ""
  say "Next steps:"
  say "  maximize login                                    # sign in with your Claude account"
  say "  maximize                                          # start the proxy on http://127.0.0.1:8081"
  say "  export ANTHROPIC_BASE_URL=http://127.0.0.1:8081   # point Claude Code and Anthropic SDKs at it"
}

main() {
  version=""
  modify_path=yes
  install_dir=${MAXIMIZE_INSTALL_DIR:-${HOME:?HOME is not set}/.maximize/bin}
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --version)
        [ "$#" -ge 2 ] || fail "--version needs a value"
        version=${2#v}
        shift 2
        ;;
      --install-dir)
        [ "$#" -ge 2 ] || fail "--install-dir needs a value"
        install_dir=$2
        shift 2
        ;;
      --no-modify-path)
        modify_path=no
        shift
        ;;
      -h | --help)
        usage
        return 0
        ;;
      *) fail "unknown option $1 (try --help)" ;;
    esac
  done

  asset=$(detect_asset)
  url=$(release_url "$version")
  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t maximize)
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 130' INT TERM

  say "Downloading $asset ${version:-(latest)} from $url"
  download "$url" SHA256SUMS
  # The archive is tens of MB: say so before a silent wait (a progress bar too, on a terminal).
  say "Downloading $asset.tar.gz (tens of MB; a minute or so on a slow line)..."
  download "$url" "$asset.tar.gz" progress
  size=$(wc -c <"$tmp/$asset.tar.gz" 2>/dev/null || true)
  size=${size##* } # macOS pads the count with spaces
  case "$size" in
    '' | *[!0-9]*) say "Downloaded" ;;
    *) say "Downloaded $((size / 1048576)) MB" ;;
  esac
  verify_checksum "$tmp/SHA256SUMS" "$asset.tar.gz" "$tmp/$asset.tar.gz"
  say "Checksum OK"

  mkdir "$tmp/unpacked"
  tar -xzf "$tmp/$asset.tar.gz" -C "$tmp/unpacked" || fail "cannot unpack $asset.tar.gz"
  [ -f "$tmp/unpacked/maximize" ] || fail "$asset.tar.gz does not contain maximize"
  hint=""
  case "$asset" in
    *-musl) hint=" (musl builds need the C++ runtime: apk add libstdc++ libgcc)" ;;
  esac
  installed=$(install_binary "$tmp/unpacked/maximize" "$install_dir" "$version" "$hint")
  say "Installed maximize $installed to $install_dir/maximize"

  update_path "$install_dir" "$modify_path" || true
  next_steps
}

main "$@"
