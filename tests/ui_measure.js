// Computed sizes and colours of everything visible on the page: the smallest text, the smallest
// touch target, the lowest contrast of text on its first opaque background; and how much of the
// screen the conversation gets between the sticky top and the sticky composer. Used by test_ui.py.
(() => {
  const visible = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && !el.closest('[hidden]');
  };
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
    ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"';
  const rgba = c => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
  const texts = [...document.querySelectorAll('body *')].filter(el =>
    visible(el) && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && !el.closest('.sr-only'));
  let minText = 1e9, smallestText = '', minContrast = 1e9, lowest = '';
  for (const el of texts) {
    const s = getComputedStyle(el), size = parseFloat(s.fontSize);
    if (size < minText) { minText = size; smallestText = describe(el); }
    const fg = rgba(s.color), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x), ratio = (a + 0.05) / (b + 0.05);
    if (ratio < minContrast) { minContrast = ratio; lowest = describe(el) + ' ' + s.color + ' on rgb(' + bg.slice(0, 3) + ')'; }
  }
  const targets = [...document.querySelectorAll(
    'a[href], button, summary, input:not([type=hidden]), textarea, select, [role=button], [tabindex]:not([tabindex="-1"])')]
    .filter(visible);
  let minTarget = 1e9, smallestTarget = '';
  for (const el of targets) { const r = el.getBoundingClientRect(), m = Math.min(r.width, r.height);
    if (m < minTarget) { minTarget = m; smallestTarget = describe(el) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height); } }
  const box = sel => { const el = document.querySelector(sel); return el ? el.getBoundingClientRect() : null; };
  const top = box('#bot-top') || box('#bot-header'), composer = box('#bot-composer'), chat = box('#bot-conversation');
  const viewport = window.innerHeight, from = Math.max(0, top ? top.bottom : 0);
  const to = Math.min(viewport, composer ? composer.top : viewport);
  return {
    viewport_px: viewport, top_px: top ? Math.round(top.height) : 0,
    composer_px: composer ? Math.round(viewport - Math.max(0, composer.top)) : 0,
    conversation_px: Math.round(Math.max(0, Math.min(to, chat.bottom) - Math.max(from, chat.top))),
    conversation_share: Math.round(Math.max(0, Math.min(to, chat.bottom) - Math.max(from, chat.top)) / viewport * 100) / 100,
    body_text_px: parseFloat(getComputedStyle(document.querySelector('#bot-conversation .answer .body p')).fontSize),
    min_text_px: minText, smallest_text: smallestText, text_elements: texts.length,
    min_target_px: Math.round(minTarget * 10) / 10, smallest_target: smallestTarget, targets: targets.length,
    min_contrast: Math.round(minContrast * 100) / 100, lowest_contrast: lowest,
  };
})()
