# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# What a container runtime does, in shell functions, for the demo and the
# guest tests (source this file): start a container (its own network, PID,
# mount and UTS namespaces, like `podman run` without an image), and drive a
# CNI plugin for it exactly as a runtime does — CNI_* environment
# variables, the network configuration on stdin, the result or error on
# stdout, the exit status (CNI spec 1.1, "Execution Protocol").
#
# CNI_PATH: where the plugins are (the caller sets it; the IPAM plugin is
# looked up there too).

# container_start NAME: a container running `sleep infinity` as its PID 1;
# prints its PID (on the host), whose /proc/PID/ns/net is its network
# namespace (what runtimes give as CNI_NETNS).
container_start() {
	local name=$1 pid
	unshare --net --pid --mount --uts --fork --kill-child \
		sh -c "hostname $name; exec sleep infinity" >/dev/null 2>&1 &
	# unshare forks: the container's first process is its child.
	for _ in $(seq 50); do
		pid=$(pgrep -P $! -x sleep || true)
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ] || { echo "container $name did not start" >&2; return 1; }
	echo "$pid"
}

# container_exec PID COMMAND...: run COMMAND in the container's network namespace.
container_exec() {
	local pid=$1
	shift
	nsenter --target "$pid" --net "$@"
}

# container_stop PID: stop it; its network namespace goes with its last process.
container_stop() {
	kill "$1" 2>/dev/null || true
}

# cni COMMAND CONTAINER_ID NETNS IFNAME [CNI_ARGS] < CONFIG: run the plugin
# named by the configuration's "type" as a runtime does. Prints its stdout
# (a result, or the error object) and returns its exit status.
cni() {
	local cmd=$1 id=$2 netns=$3 ifname=$4 args=${5:-} conf type plugin dir
	conf=$(cat)
	type=$(jq -r .type <<<"$conf")
	for dir in ${CNI_PATH//:/ }; do
		[ -x "$dir/$type" ] && { plugin=$dir/$type; break; }
	done
	[ -n "${plugin:-}" ] || { echo "no plugin $type in CNI_PATH $CNI_PATH" >&2; return 1; }
	CNI_COMMAND=$cmd CNI_CONTAINERID=$id CNI_NETNS=$netns CNI_IFNAME=$ifname \
		CNI_ARGS=$args CNI_PATH=$CNI_PATH "$plugin" <<<"$conf"
}

# cni_network CONFLIST INDEX: plugin INDEX of a network configuration list as
# a runtime hands it to that plugin: with the list's "name" and "cniVersion".
cni_network() {
	jq -c --argjson i "${2:-0}" '.plugins[$i] + {name: .name, cniVersion: .cniVersion}' "$1"
}

# podman_setup DIR CONFLIST: a podman (Debian's, with its CNI backend) kept
# apart from the machine's: storage (vfs) under DIR, the networks of
# DIR/net.d (CONFLIST copied there), the plugins of CNI_PATH, no systemd
# (cgroupfs), and an image "localhost/vns-busybox" made from the host's
# busybox, so that no registry is needed. Exports CONTAINERS_CONF and
# CONTAINERS_STORAGE_CONF for the podman commands that follow.
podman_setup() {
	local dir=$1 conflist=$2 dirs a
	mkdir -p "$dir/net.d" "$dir/rootfs/bin"
	dirs=$(tr ':' '\n' <<<"$CNI_PATH" | jq -R . | jq -sc .)
	cat >"$dir/storage.conf" <<-CONF
		[storage]
		driver = "vfs"
		runroot = "$dir/run"
		graphroot = "$dir/storage"
	CONF
	cat >"$dir/containers.conf" <<-CONF
		[network]
		network_backend = "cni"
		cni_plugin_dirs = $dirs
		network_config_dir = "$dir/net.d"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
	CONF
	export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf
	cp "$conflist" "$dir/net.d/"
	# crun wants the cgroup file system even with --cgroups=disabled.
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
	cp /bin/busybox "$dir/rootfs/bin/"
	for a in sh ip ping sleep cat hostname; do ln -s busybox "$dir/rootfs/bin/$a"; done
	tar -C "$dir/rootfs" -cf "$dir/rootfs.tar" .
	podman import -q "$dir/rootfs.tar" localhost/vns-busybox >/dev/null
}
