import { defineConfig } from "vite";

// Plain esbuild JSX (no React plugin needed for a production build).
// `base: "./"` keeps asset URLs relative, so the build works under any
// prefix (omni-server serves it at /react/).
export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic" },
  // omni-socket is linked from ../../npm, which has its own copy of React
  // for its tests; the app must use exactly one.
  resolve: { dedupe: ["react", "react-dom"] },
  server: { fs: { allow: ["../.."] } },
  build: { outDir: process.env.OMNI_DEMO_OUT ?? "dist", emptyOutDir: true },
});
