// Only for placing the demo annotations: with "#measure" in the URL, every
// element with a data-note attribute is listed with its position in percent
// of the 390 × 844 page (the body, whatever the window size) (x, y, w, h), in a <pre id="measure"> that
// `chromium --headless --dump-dom` prints. Without the hash it does nothing.
if (location.hash === "#measure") {
  window.addEventListener("load", () => {
    const b = document.body.getBoundingClientRect(), W = b.width, H = b.height, f = (v) => Math.round(v * 10) / 10;
    const out = [`viewport ${W}x${H}`];
    for (const el of document.querySelectorAll("[data-note]")) {
      const r = el.getBoundingClientRect();
      out.push(`${el.dataset.note}\tx=${f(r.left / W * 100)} y=${f(r.top / H * 100)} w=${f(r.width / W * 100)} h=${f(r.height / H * 100)}` +
        `\tcx=${f((r.left + r.width / 2) / W * 100)} cy=${f((r.top + r.height / 2) / H * 100)}\tpx=${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    const pre = document.createElement("pre");
    pre.id = "measure";
    pre.textContent = out.join("\n");
    document.body.appendChild(pre);
  });
}
