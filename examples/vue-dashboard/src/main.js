import { createApp } from "vue";
import OmniSocket from "omni-socket/vue";
import "../../dashboard-common/dashboard.css";
import { pageConfig, socketOptions } from "../../dashboard-common/page.js";
import Dashboard from "./Dashboard.vue";

// Seed 000's plugin usage, with the page's origin and query string.
const cfg = pageConfig();
const auth = {};
if (cfg.token) auth.token = cfg.token;
if (cfg.license) auth.license_key = cfg.license;

createApp(Dashboard, { cfg })
  .use(OmniSocket, { url: cfg.url, auth, ...socketOptions(cfg) })
  .mount("#root");
