// 长辈版 numbers of the page as it is drawn now (tests/web/test_browser_elderly.py): every
// tap target's hit area (a radio button's or a checkbox's includes its label), the font size of
// every piece of visible text and of every form control, and every focus ring's contrast with
// what is behind it (WCAG: >= 3:1).
() => {
  // Tap areas, text sizes and focus rings of the page as it is now.
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30);
    return `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""}${el.type ? "[" + el.type + "]" : ""} "${text}"`;
  };
  const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const union = (rects) => {
    let l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
    for (const x of rects) {
      if (!x.width && !x.height) continue;
      l = Math.min(l, x.left); t = Math.min(t, x.top); r = Math.max(r, x.right); b = Math.max(b, x.bottom);
    }
    return r > l ? { width: r - l, height: b - t } : { width: 0, height: 0 };
  };
  const targets = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el)) continue;
    let rects = [el.getBoundingClientRect()];
    const check = el.type === "radio" || el.type === "checkbox";
    if (el.labels) for (const label of el.labels) rects.push(label.getBoundingClientRect());
    const area = union(rects);
    const own = el.getBoundingClientRect();
    targets.push({
      what: describe(el), width: Math.round(area.width * 10) / 10, height: Math.round(area.height * 10) / 10,
      control: check ? Math.round(Math.min(own.width, own.height) * 10) / 10 : null,
    });
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    const el = node.parentElement;
    if (!el || ["SCRIPT", "STYLE", "NOSCRIPT", "OPTION"].includes(el.tagName) || !visible(el)) continue;
    texts.push({ what: `${el.tagName.toLowerCase()}.${el.className} "${node.data.trim().slice(0, 20)}"`, size: parseFloat(getComputedStyle(el).fontSize) });
  }
  for (const el of document.querySelectorAll("input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea, button")) {
    if (visible(el)) texts.push({ what: describe(el), size: parseFloat(getComputedStyle(el).fontSize) });
  }
  // Focus rings: the outline's colour against what is behind it.
  const rgb = (s) => { const m = s.match(/[\d.]+/g) || []; return m.map(Number); };
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  const rings = [];
  const active = document.activeElement;
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el)) continue;
    el.focus({ preventScroll: true });
    if (document.activeElement !== el) continue;
    const style = getComputedStyle(el);
    const width = parseFloat(style.outlineWidth) || 0;
    const color = rgb(style.outlineColor);
    const ratio = style.outlineStyle === "none" || width === 0 ? 0 : contrast(color, behind(el));
    rings.push({ what: describe(el), width, ratio: Math.round(ratio * 100) / 100 });
  }
  if (active && active.focus) active.focus(); else document.activeElement.blur();
  return { targets, texts, rings };
}
