# Sourced by ./run.sh and bench/startup: gateway_java_options JAR prints the JVM flags that start
# the gateway of JAR with the class-data archive the build left next to it, or nothing when there
# is none this JVM can use ($JAVA_HOME's: find_jdk first). An archive the JVM rejects (another JDK
# build wrote it) only costs the speed-up: the JVM starts without it.
gateway_java_options() {
  local dir feature
  dir=$(dirname "$1")
  feature=$(jdk_feature_version "$JAVA_HOME")
  if [ -n "$feature" ] && [ "$feature" -ge 25 ] && [ -f "$dir/aggregation-gateway.aot" ]; then
    echo "-XX:AOTCache=$dir/aggregation-gateway.aot"
  elif [ -f "$dir/aggregation-gateway.jsa" ]; then
    echo "-XX:SharedArchiveFile=$dir/aggregation-gateway.jsa"
  fi
}
