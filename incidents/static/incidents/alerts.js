// Open incidents on the overview: dashboard/status.js passes each "incident" websocket event on as a
// "vms:incident" window event; this list adds, updates and (once ended) removes its line.
(function () {
  "use strict";
  const section = document.getElementById("incident-alerts");
  if (!section) return;
  const T = JSON.parse(document.getElementById("incident-strings").textContent);
  const list = section.querySelector("ul");

  window.addEventListener("vms:incident", (event) => {
    const incident = event.detail;
    let item = list.querySelector(`li[data-incident="${incident.id}"]`);
    if (incident.state === "ended") {
      if (item) item.remove();
      section.hidden = list.children.length === 0;
      return;
    }
    if (!item) {
      item = document.createElement("li");
      item.dataset.incident = incident.id;
      const link = document.createElement("a");
      link.href = T.url.replace("/0/", `/${incident.id}/`);
      const state = document.createElement("span");
      state.className = "state";
      item.append(link, " ", state);
      list.prepend(item);
    }
    item.dataset.state = incident.state;
    item.querySelector("a").textContent = `${incident.camera}: ${T.kinds[incident.kind] || incident.kind}`;
    item.querySelector(".state").textContent = T[incident.state] + (incident.acknowledged ? ` · ${T.acknowledged}` : "");
    section.hidden = false;
  });
})();
