import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { init } from "omni-socket";
import "../../dashboard-common/dashboard.css";
import { Dashboard } from "./Dashboard.jsx";

// Fetch the WebAssembly module before the first render, so the first
// mount already opens the connection.
init().then(() => {
  createRoot(document.getElementById("root")).render(
    <StrictMode>
      <Dashboard />
    </StrictMode>,
  );
});
