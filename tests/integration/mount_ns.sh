# Sourced first by a test that mounts file systems (before lib.sh, whose
# scratch directory must be made inside): runs the test again in a private
# mount namespace, so that its mounts vanish with it, as root or in a user
# namespace; SKIP (exit 77) where neither can be made.
if [ -z "${INSOLED_TEST_IN_MOUNT_NS:-}" ]; then
	if ! unshare -m --propagation private true 2>/dev/null &&
	   ! unshare -r -m --propagation private true 2>/dev/null; then
		echo "SKIP: cannot make a private mount namespace here (unshare -m needs root or user namespaces)"
		exit 77
	fi
	export INSOLED_TEST_IN_MOUNT_NS=1
	unshare -m --propagation private true 2>/dev/null && exec unshare -m --propagation private bash "$0"
	exec unshare -r -m --propagation private bash "$0"
fi
