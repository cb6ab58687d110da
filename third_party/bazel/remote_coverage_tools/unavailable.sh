#!/bin/sh
# Offline stand-in for remote_coverage_tools; see third_party/bazel/README.md.
echo "remote_coverage_tools is stubbed out: bazel coverage is not supported offline" >&2
exit 1
