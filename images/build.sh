#!/usr/bin/env bash
# Builds SidePool's container images with buildah into the local containers-storage (docs/images.md):
#
#   images/build.sh [--force] [sidecar] [operator] [loadgen] [forwarder]     (no name: all four)
#   make images [IMAGES="sidecar forwarder"] [FORCE=1]
#
# Every image is FROM scratch: its binaries, exactly the shared libraries they load (ldd's list plus the ones they
# dlopen), /etc/passwd and /etc/group with the nonroot user 65532, and nothing else (no shell, no package
# manager). The .NET binaries are published here (the `# publish:` line of the image's Containerfile); PgBouncer
# and socat are this machine's Debian binaries. Tags: localhost/sidepool/<name>:dev (SIDEPOOL_IMAGE_TAG overrides
# "dev").
#
# Cached: each image carries the label sidepool.dev/image-inputs, a SHA-256 over what goes into it (its Containerfile,
# this script, the source of the published project and of the projects it references, the build props, the SDK
# version, the host binaries and libraries, the Debian versions of the C/C++ runtime, OpenSSL and the CA bundle).
# An image whose label matches is not rebuilt; --force (FORCE=1) rebuilds anyway.
#
# Needs root (rootful podman/buildah, as on CI), buildah, podman, dotnet; pgbouncer for the sidecar, socat for the
# forwarder.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
images=$repo/images
all=(sidecar operator loadgen forwarder)
tag=${SIDEPOOL_IMAGE_TAG:-dev}
work=${SIDEPOOL_IMAGES_WORK:-$images/.work}
label=sidepool.dev/image-inputs
export CONTAINERS_CONF=${CONTAINERS_CONF:-$images/containers.conf}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

say() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images/build.sh: %s\n' "$*" >&2; exit 1; }

# What an image holds besides the binary its Containerfile publishes:
#   host_binaries  this machine's executables, copied to host/<name> in the build context
#   dlopened       libraries loaded at run time, which ldd cannot see: .NET's crypto shim (statically linked into a
#                  Native AOT binary, a part of the runtime otherwise) dlopens libssl and libcrypto
#   ca_bundle      /etc/ssl/certs/ca-certificates.crt: PgBouncer's compiled-in default CA file (server_tls_sslmode
#                  verify-* without a pool CA) and .NET's system trust store
#   debian_packages  Debian packages whose version goes into the cache key
configure() {
  host_binaries=()
  dlopened=()
  ca_bundle=no
  debian_packages=(libc6)
  case $1 in
    sidecar)
      host_binaries=(/usr/sbin/pgbouncer)
      dlopened=(libssl.so.3 libcrypto.so.3)
      ca_bundle=yes
      debian_packages+=(pgbouncer libssl3 ca-certificates)
      ;;
    operator | loadgen)
      dlopened=(libssl.so.3 libcrypto.so.3)
      ca_bundle=yes
      debian_packages+=(libstdc++6 libgcc-s1 libssl3 ca-certificates)
      ;;
    forwarder)
      host_binaries=(/usr/bin/socat)
      debian_packages+=(socat)
      ;;
    *) die "unknown image '$1' (images: ${all[*]})" ;;
  esac
}

# The `dotnet publish` arguments of an image (its Containerfile's "# publish: dotnet publish ..." line), or nothing.
publish_arguments() {
  sed -n 's/^# publish: dotnet publish //p' "$images/$1/Containerfile"
}

# A project directory (relative to the repository) and, recursively, the directories of the projects it references.
project_closure() {
  local dir=$1 reference
  printf '%s\n' "$dir"
  sed -n 's/.*<ProjectReference Include="\([^"]*\)".*/\1/p' "$repo/$dir"/*.csproj | while read -r reference; do
    project_closure "$(realpath --relative-to="$repo" "$repo/$dir/$(dirname "$reference")")"
  done
}

# Absolute path of a library by soname, from the dynamic linker's cache (x86-64 only).
library_path() {
  ldconfig -p | awk -v name="$1" '$1 == name && /x86-64/ { print $NF; exit }'
}

# The shared libraries of ELF files: ldd's list (it follows dependencies of dependencies), the dynamic loader
# included. Fails on a library ldd cannot find.
libraries_of() {
  local file listing
  for file in "$@"; do
    listing=$(ldd "$file") || die "ldd $file failed: $listing"
    if grep -q 'not found' <<<"$listing"; then
      die "$file needs libraries this machine lacks: $(grep 'not found' <<<"$listing" | tr -s '\t\n' ' ')"
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$listing"
  done | sort -u
}

# Every library an image needs: the dlopened ones, and the dependencies of its binaries and of those.
image_libraries() {
  local lib path dlopened_paths=()
  for lib in "${dlopened[@]}"; do
    path=$(library_path "$lib")
    [ -n "$path" ] || die "library $lib not found (ldconfig -p); install it"
    dlopened_paths+=("$path")
  done
  libraries_of "$@" "${dlopened_paths[@]}"
  if [ "${#dlopened_paths[@]}" -gt 0 ]; then printf '%s\n' "${dlopened_paths[@]}"; fi
}

# SHA-256 over everything an image is built from (see the header).
inputs_hash() {
  local name=$1 publish project
  publish=$(publish_arguments "$name")
  {
    echo "image $name tag $tag"
    (cd "$repo" && sha256sum images/build.sh "images/$name/Containerfile" Directory.Build.props Directory.Packages.props)
    if [ -n "$publish" ]; then
      project=$(awk '{ print $1 }' <<<"$publish")
      echo "dotnet $(dotnet --version) publish $publish"
      (cd "$repo" && project_closure "$project" | sort -u | while read -r dir; do
        find "$dir" -type f -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum
      done)
    fi
    if [ "${#host_binaries[@]}" -gt 0 ]; then
      sha256sum "${host_binaries[@]}"
      image_libraries "${host_binaries[@]}" | xargs sha256sum
    fi
    dpkg-query -W -f '${Package} ${Version}\n' "${debian_packages[@]}"
  } | sha256sum | awk '{ print $1 }'
}

current_label() {
  podman image inspect --format "{{ index .Labels \"$label\" }}" "$1" 2>/dev/null || true
}

# The root file system every image starts from: merged /usr, /etc/passwd and /etc/group with root and nonroot
# (65532, no home, no shell), /etc/nsswitch.conf, a world-writable /tmp (a mount point on a read-only root).
skeleton() {
  local root=$1
  install -d -m 0755 "$root"/etc "$root"/usr/bin "$root"/usr/sbin "$root"/usr/local/bin "$root"/usr/lib64 \
    "$root"/usr/lib/x86_64-linux-gnu
  install -d -m 1777 "$root"/tmp
  ln -s usr/bin "$root"/bin
  ln -s usr/sbin "$root"/sbin
  ln -s usr/lib "$root"/lib
  ln -s usr/lib64 "$root"/lib64
  printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' 'nonroot:x:65532:65532:nonroot:/nonexistent:/usr/sbin/nologin' \
    >"$root"/etc/passwd
  printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$root"/etc/group
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root"/etc/nsswitch.conf
  chmod 0644 "$root"/etc/passwd "$root"/etc/group "$root"/etc/nsswitch.conf
}

# Copies a library to the path the dynamic loader finds it at (its directory with symlinks resolved, under its
# own name), dereferenced.
install_library() {
  local root=$1 path=$2 directory
  directory=$(realpath "$(dirname "$path")")
  install -d -m 0755 "$root$directory"
  cp -L --preserve=mode "$path" "$root$directory/$(basename "$path")"
}

build_image() {
  local name=$1 force=$2 ref hash previous publish context binaries=() path started
  ref=localhost/sidepool/$name:$tag
  configure "$name"
  hash=$(inputs_hash "$name")
  if [ "$force" = no ] && [ "$(current_label "$ref")" = "$hash" ]; then
    say "$ref is up to date (inputs ${hash:0:12})"
    return
  fi

  started=$SECONDS
  say "building $ref (inputs ${hash:0:12})"
  context=$work/$name
  rm -rf "$context"
  install -d -m 0755 "$context"/rootfs "$context"/publish "$context"/host

  publish=$(publish_arguments "$name")
  if [ -n "$publish" ]; then
    local -a arguments
    read -ra arguments <<<"$publish"
    say "  dotnet publish $publish"
    (cd "$repo" && dotnet publish "${arguments[@]}" -o "$context/publish" --artifacts-path "$work/dotnet" \
      --nologo -v q -clp:NoSummary) >&2
    rm -f "$context"/publish/*.pdb "$context"/publish/*.dbg
  fi
  for path in "${host_binaries[@]}"; do
    cp -L --preserve=mode "$path" "$context/host/$(basename "$path")"
  done
  for path in "$context"/publish/* "$context"/host/*; do
    [ -f "$path" ] && [ "$(head -c 4 "$path" | od -An -c | tr -d ' ')" = '177ELF' ] && binaries+=("$path")
  done
  [ "${#binaries[@]}" -gt 0 ] || die "$name: no binaries to put in the image"

  skeleton "$context/rootfs"
  image_libraries "${binaries[@]}" | while read -r path; do install_library "$context/rootfs" "$path"; done
  if [ "$ca_bundle" = yes ]; then
    install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$context/rootfs/etc/ssl/certs/ca-certificates.crt"
    install -d -m 0755 "$context/rootfs/usr/lib/ssl"
    ln -s /etc/ssl/certs/ca-certificates.crt "$context/rootfs/usr/lib/ssl/cert.pem"
    ln -s /etc/ssl/certs "$context/rootfs/usr/lib/ssl/certs"
  fi

  previous=$(podman image inspect --format '{{ .Id }}' "$ref" 2>/dev/null || true)
  buildah bud --quiet --layers=false -f "$images/$name/Containerfile" --label "$label=$hash" \
    --label "org.opencontainers.image.version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props")" \
    -t "$ref" "$context" >/dev/null
  # The image this tag named before is now untagged: remove it unless a container still uses it.
  if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{ .Id }}' "$ref")" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
  fi
  say "built $ref in $((SECONDS - started)) s: $(podman image inspect --format '{{ .Size }}' "$ref" | numfmt --to=si) bytes"
}

main() {
  local force=no names=() name
  for name in "$@"; do
    case $name in
      --force) force=yes ;;
      -h | --help) sed -n '2,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
      -*) die "unknown option $name" ;;
      *) names+=("$name") ;;
    esac
  done
  [ "${#names[@]}" -gt 0 ] || names=("${all[@]}")
  for name in "${names[@]}"; do configure "$name"; done
  [ "$(id -u)" -eq 0 ] || die "run as root (the images go into root's containers-storage, as on CI)"
  if ! command -v buildah >/dev/null || ! command -v podman >/dev/null; then
    die "needs buildah and podman (apt-get install podman buildah runc)"
  fi

  install -d -m 0755 "$work"
  # One build at a time on this machine: the tags are shared by every checkout.
  exec 9>"${TMPDIR:-/tmp}/sidepool-images.lock"
  if ! flock --nonblock 9; then
    say "waiting for another images/build.sh to finish"
    flock 9
  fi
  for name in "${names[@]}"; do build_image "$name" "$force"; done
}

main "$@"
