import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// `base: "./"` keeps asset URLs relative, so the build works under any
// prefix (omni-server serves it at /vue/).
export default defineConfig({
  base: "./",
  plugins: [vue()],
  // omni-socket is linked from ../../npm, which has its own copy of Vue for
  // its tests; the app must use exactly one.
  resolve: { dedupe: ["vue"] },
  server: { fs: { allow: ["../.."] } },
  build: { outDir: process.env.OMNI_DEMO_OUT ?? "dist", emptyOutDir: true },
});
