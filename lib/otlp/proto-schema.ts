import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

// The vendored OTLP .proto files (lib/otlp/proto, opentelemetry-proto v1.9.0) compiled by
// protobufjs into the JSON descriptor lib/otlp/proto/otlp.json that the decoder loads. Kept as a
// function so a test can check the committed descriptor is exactly what the .proto files say.
export const OTLP_PROTO_FILES = [
  "opentelemetry/proto/collector/logs/v1/logs_service.proto",
  "opentelemetry/proto/collector/metrics/v1/metrics_service.proto",
  "opentelemetry/proto/collector/trace/v1/trace_service.proto",
];

export function compileOtlpSchema(): protobuf.INamespace {
  const protoDir = fileURLToPath(new URL("./proto/", import.meta.url));
  const root = new protobuf.Root();
  // Imports are written relative to the repository root of opentelemetry-proto.
  root.resolvePath = (_origin, target) => protoDir + target;
  root.loadSync(OTLP_PROTO_FILES);
  root.resolveAll();
  return root.toJSON();
}
