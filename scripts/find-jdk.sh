# Sourced by ./run.sh and ./test.sh: exports JAVA_HOME pointing at a JDK >= 21.
# The machine's default `java` may be older (17 here), so we look in the usual places
# and take the newest JDK that is new enough. Override with JAVA_HOME.

GATEWAY_MIN_JAVA=21

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing.
jdk_feature_version() {
  local home=$1 line
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    line=$(grep -E '^JAVA_VERSION=' "$home/release" | head -n 1)
    line=${line#JAVA_VERSION=}; line=${line//\"/}
  else
    line=$("$home/bin/java" -version 2>&1 | head -n 1 | sed -E 's/.*version "([^"]+)".*/\1/')
  fi
  line=${line#1.}            # 1.8 -> 8
  echo "${line%%[.+-]*}"
}

find_jdk() {
  local candidates=() dir best="" best_version=0 version
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
             "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
             /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$dir" ] && candidates+=("$dir")
  done
  for dir in "${candidates[@]}"; do
    version=$(jdk_feature_version "$dir")
    [ -n "$version" ] || continue
    # An explicit JAVA_HOME that is new enough wins over a newer JDK found elsewhere.
    if [ "$dir" = "${JAVA_HOME:-}" ] && [ "$version" -ge "$GATEWAY_MIN_JAVA" ]; then
      best=$dir; break
    fi
    if [ "$version" -gt "$best_version" ]; then best=$dir; best_version=$version; fi
  done
  if [ -z "$best" ] || [ "$(jdk_feature_version "$best")" -lt "$GATEWAY_MIN_JAVA" ]; then
    echo "error: the aggregation gateway needs a JDK $GATEWAY_MIN_JAVA or newer, and none was found." >&2
    echo "       Looked at JAVA_HOME, the javac on PATH, /usr/lib/jvm, /opt/java, ~/.sdkman and" >&2
    echo "       /Library/Java/JavaVirtualMachines. Install one (e.g. 'apt-get install openjdk-21-jdk'" >&2
    echo "       or Temurin 21+) or point JAVA_HOME at it." >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}
