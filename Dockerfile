# The vsc image: the operator (`vsc operator`) and the router (`vsc router`), from the jar the build
# makes. Build the jar first, then the image:
#   ./mvnw -B -DskipTests -pl cli -am clean package && docker build -t vectorshard/vsc:0.1.0-SNAPSHOT .
# The JRE comes from Debian's archive, like everything else the project installs.
FROM debian:trixie-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless \
 && rm -rf /var/lib/apt/lists/*
# image-lib: the runtime dependencies without the demo's model, ONNX runtime and corpus.
COPY cli/target/image-lib/ /opt/vectorshard/lib/
COPY cli/target/vsc.jar /opt/vectorshard/vsc.jar
# Non-root, matching runAsUser in deploy/operator.yaml.
USER 65532:65532
ENTRYPOINT ["java", "-jar", "/opt/vectorshard/vsc.jar"]
