/* sci-search widget (no framework, no build step).
 * 1. form[data-scisearch-suggest] on our pages gets suggestions: the WAI-ARIA APG
 *    "combobox with listbox popup". Without JavaScript it is a plain GET form.
 * 2. <div data-scisearch> on any page becomes a search box with the same suggestions
 *    and the best summaries under it, replacing the fallback form inside.
 * API origin: this script's src, or the div's data-scisearch-api. No inline styles
 * (strict CSP): widget.css styles "scisearch-" classes. Titles and snippets (escaped
 * HTML with <mark>) are rebuilt as text and <mark> elements only.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const scriptOrigin = script && script.src ? new URL(script.src, document.baseURI).origin
    : location.origin;
  const DEBOUNCE_MS = 150;
  const MIN_CHARS = 2;
  const PER_PAGE = 5;
  let counter = 0;

  /* el("p", {class: "x"}, "text", child) */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value != null && value !== false) {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    node.append(...children.filter((c) => c != null && c !== ""));
    return node;
  }

  /* The API's escaped HTML with <mark> as text and <mark> nodes only: other elements
   * become their text. A <template> parses without running scripts or loading images. */
  function marked(html) {
    const template = document.createElement("template");
    template.innerHTML = String(html || "");
    const out = document.createDocumentFragment();
    for (const node of template.content.childNodes) {
      if (node.nodeType === Node.COMMENT_NODE || /^(script|style)$/.test(node.localName)) continue;
      out.append(node.localName === "mark" ? el("mark", {}, node.textContent) : node.textContent);
    }
    return out;
  }

  function plural(n, one, many) {
    return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
  }

  function summaryUrl(origin, id, q) {
    const words = q ? `?q=${encodeURIComponent(q)}` : "";
    return `${origin}/summaries/${encodeURIComponent(id)}${words}`;
  }

  /* A hit's page: the API's `link` (with its click token) if it is one of the API's
   * summary pages, else made from the id. */
  function hitUrl(origin, hit, q) {
    if (typeof hit.link === "string" && hit.link.startsWith("/summaries/")) {
      const url = new URL(hit.link, origin);
      if (url.origin === origin && url.pathname.startsWith("/summaries/")) return url.href;
    }
    return summaryUrl(origin, hit.id, q);
  }

  /* Fetch JSON, aborting the previous request of the same `slot`. */
  async function getJson(slot, url) {
    if (slot.controller) slot.controller.abort();
    const controller = new AbortController();
    slot.controller = controller;
    try {
      const response = await fetch(url, {signal: controller.signal});
      const body = await response.json();
      if (!response.ok || !body.ok) throw new Error(`API answered ${response.status}`);
      return body;
    } finally {
      if (slot.controller === controller) slot.controller = null;
    }
  }

  /* The combobox: a listbox of suggestions for `input` in `anchor`, a live region
   * counting them, and `choose(s)` called with the one picked (keys, mouse, touch). */
  function combobox(input, anchor, api, choose) {
    const base = input.id || `scisearch-${++counter}-q`;
    input.id = base;
    const listbox = el("ul", {class: "scisearch-listbox", role: "listbox",
      id: `${base}-listbox`, "aria-label": "Suggestions", hidden: true});
    const status = el("div", {class: "scisearch-vh", role: "status"});
    anchor.classList.add("scisearch-anchor");
    anchor.append(listbox);
    anchor.parentNode.append(status);
    const attributes = {role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
      "aria-controls": listbox.id, autocomplete: "off"};
    for (const [name, value] of Object.entries(attributes)) input.setAttribute(name, value);

    const slot = {controller: null};
    let items = [];
    let forText = null;
    let active = -1;
    let timer = 0;

    const isOpen = () => !listbox.hidden;

    function setActive(index) {
      const options = listbox.children;
      if (active >= 0 && options[active]) options[active].removeAttribute("aria-selected");
      active = index;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      setActive(-1);
      status.textContent = "";
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function open(activeIndex) {
      if (!items.length) return close();
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      setActive(Math.min(activeIndex, items.length - 1));
    }

    function option(s, index) {
      const parts = [el("span", {class: "scisearch-option-text"}, s.text)];
      if (s.kind === "term" && s.preferred && s.preferred !== s.text) {
        parts.push(el("span", {class: "scisearch-option-alt"},
          el("span", {"aria-hidden": "true"}, " \u2014 "),
          el("span", {class: "scisearch-vh"}, ", medical term: "), s.preferred));
      }
      if (s.kind === "title") {
        parts.unshift(el("span", {class: "scisearch-option-kind"}, "Summary: "));
      } else if (s.count) {
        parts.push(el("span", {class: "scisearch-option-count"},
          ` (${plural(s.count, "summary", "summaries")})`));
      }
      const li = el("li", {class: "scisearch-option", role: "option",
        id: `${listbox.id}-${index}`}, ...parts);
      li.addEventListener("click", () => pick(index));
      return li;
    }

    function show(suggestions, activeIndex) {
      items = suggestions;
      listbox.replaceChildren(...items.map(option));
      active = -1;
      if (document.activeElement === input && items.length) open(activeIndex);
      else close();
      status.textContent = items.length && isOpen()
        ? `${plural(items.length, "suggestion", "suggestions")}: use the up and down arrow keys.`
        : "";
    }

    async function load(activeIndex) {
      const text = input.value;
      if (text.trim().length < MIN_CHARS) {
        cancel();
        forText = text;
        return show([], -1);
      }
      if (text === forText) return open(activeIndex);
      try {
        // A newer request aborts this one (cancel), so an answer here is the latest.
        const body = await getJson(slot, `${api}/suggest?q=${encodeURIComponent(text)}`);
        if (input.value !== text) return;
        forText = text;
        show(Array.isArray(body.suggestions) ? body.suggestions : [], activeIndex);
      } catch (error) {
        if (error.name !== "AbortError") show([], -1);
      }
    }

    function cancel() {
      clearTimeout(timer);
      timer = 0;
      if (slot.controller) slot.controller.abort();
    }

    function pick(index) {
      const s = items[index];
      if (!s) return;
      close();
      forText = s.text;
      choose(s);
    }

    input.addEventListener("input", () => {
      cancel();
      setActive(-1);
      timer = setTimeout(() => {
        timer = 0;
        load(-1);
      }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", (event) => {
      if (event.isComposing || event.ctrlKey || event.metaKey) return;
      const count = items.length;
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp": {
          event.preventDefault();
          const down = event.key === "ArrowDown";
          if (!isOpen() || forText !== input.value) {
            // Open, or refresh a list still showing what was typed before: then highlight.
            cancel();
            load(event.altKey ? -1 : down ? 0 : Infinity);
          } else if (count && !event.altKey) {
            setActive(down ? (active + 1) % count : (active <= 0 ? count : active) - 1);
          }
          break;
        }
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            pick(active);
          } else {
            cancel();
            close();
          }
          break;
        case "Escape":
          // Close, and cancel suggestions on their way (the browser would clear the box).
          if (isOpen() || timer || slot.controller) {
            event.preventDefault();
            cancel();
            close();
          }
          break;
        case "Home":
        case "End":
          // Back to the text box, with the cursor at the start or end (APG, editable).
          if (isOpen() && active >= 0) {
            event.preventDefault();
            setActive(-1);
            const at = event.key === "Home" ? 0 : input.value.length;
            input.setSelectionRange(at, at);
          }
          break;
        case "ArrowLeft":
        case "ArrowRight":
          setActive(-1);
          break;
        case "Tab":
          close();
          break;
        default:
      }
    });

    const stop = () => {
      cancel();
      close();
    };
    input.addEventListener("blur", stop);
    // Keep the focus in the text box when an option is pressed (mouse or touch).
    listbox.addEventListener("mousedown", (event) => event.preventDefault());
    return {close: stop};
  }

  /* A chosen title opens its summary; a topic or term is searched for. */
  function chooser(origin, form, input) {
    return (s) => {
      if (s.kind === "title" && s.summary) {
        location.assign(summaryUrl(origin, s.summary));
      } else {
        input.value = s.text;
        form.requestSubmit();
      }
    };
  }

  /* Our own pages: suggestions in the search forms. */
  function enhanceForm(form) {
    const input = form.querySelector("input[name=q]");
    if (!input || input.getAttribute("role") === "combobox") return;
    combobox(input, input.parentNode, `${scriptOrigin}/api/v1`,
      chooser(scriptOrigin, form, input));
  }

  /* The embeddable widget. */
  function apiOf(host) {
    const given = host.getAttribute("data-scisearch-api");
    if (!given) return `${scriptOrigin}/api/v1`;
    const url = new URL(given, document.baseURI);
    const path = url.pathname.replace(/\/+$/, "");
    return url.origin + (path.endsWith("/api/v1") ? path : `${path}/api/v1`);
  }

  function addStylesheet(origin) {
    const href = `${origin}/widget.css`;
    const present = [...document.querySelectorAll("link[rel~=stylesheet]")]
      .some((link) => link.href === href);
    if (!present) document.head.append(el("link", {rel: "stylesheet", href}));
  }

  function embed(host) {
    const api = apiOf(host);
    const origin = new URL(api).origin;
    const id = `scisearch-${++counter}`;
    const fallbackLabel = host.querySelector("label");
    const labelText = host.getAttribute("data-scisearch-label")
      || (fallbackLabel && fallbackLabel.textContent.trim())
      || "Search spinal cord injury research";
    const heading = parseInt(host.getAttribute("data-scisearch-heading"), 10) || 3;
    const level = Math.min(6, Math.max(2, heading));
    addStylesheet(origin);

    const input = el("input", {id: `${id}-q`, class: "scisearch-input", name: "q",
      type: "search", spellcheck: "true"});
    const row = el("div", {class: "scisearch-row"}, input,
      el("button", {class: "scisearch-button", type: "submit"}, "Search"));
    const form = el("form", {class: "scisearch-form", role: "search", method: "get",
      action: `${origin}/`, "aria-labelledby": `${id}-label`},
      el("label", {class: "scisearch-label", id: `${id}-label`, for: input.id}, labelText),
      row);
    const count = el("p", {class: "scisearch-count", role: "status"});
    const results = el("div", {class: "scisearch-results", hidden: true});
    host.classList.add("scisearch-widget");
    host.replaceChildren(form, count, results);

    const slot = {controller: null};
    const suggestions = combobox(input, row, api, chooser(origin, form, input));

    function card(q, hit) {
      const meta = el("p", {class: "scisearch-meta"},
        el("span", {class: "scisearch-badge"}, hit.evidence_label),
        hit.year ? el("span", {class: "scisearch-year"}, hit.year) : null);
      return el("li", {class: "scisearch-card"},
        el(`h${level}`, {class: "scisearch-card-title"},
          el("a", {href: hitUrl(origin, hit, q)}, marked(hit.title_html || hit.title))),
        meta,
        hit.snippet ? el("p", {class: "scisearch-snippet"}, marked(hit.snippet)) : null);
    }

    function render(q, answer) {
      const hits = Array.isArray(answer.results) ? answer.results : [];
      const total = Number(answer.total) || 0;
      const all = `${origin}/?q=${encodeURIComponent(q)}`;
      const parts = [];
      if (answer.corrected) {
        parts.push(el("p", {class: "scisearch-corrected"}, "Showing results for ",
          el("strong", {}, answer.corrected), ". ",
          el("a", {href: `${all}&exact=1`}, `Search instead for \u201c${q}\u201d`), "."));
      }
      if (hits.length) {
        parts.push(el("ol", {class: "scisearch-list"}, ...hits.map(h => card(q, h))));
        parts.push(el("p", {class: "scisearch-all"},
          el("a", {href: all}, `See all ${plural(total, "result", "results")}`)));
      } else {
        parts.push(el("p", {class: "scisearch-none"},
          el("a", {href: all}, "Try this search on the full site"),
          ", where you can browse topics and categories."));
      }
      if (answer.disclaimer) {
        parts.push(el("p", {class: "scisearch-notice"},
          el("strong", {}, "Not medical advice. "), answer.disclaimer));
      }
      results.replaceChildren(...parts);
      results.hidden = false;
      count.textContent = total
        ? `${plural(total, "summary", "summaries")} found` +
          (total > hits.length ? `; showing the best ${hits.length}.` : ".")
        : `No summaries found for \u201c${q}\u201d.`;
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      suggestions.close();
      const q = input.value.trim();
      count.textContent = "";
      if (!q) {
        count.textContent = "Type a few words to search.";
        return;
      }
      try {
        const answer = await getJson(slot,
          `${api}/search?q=${encodeURIComponent(q)}&per_page=${PER_PAGE}`);
        render(q, answer);
      } catch (error) {
        if (error.name === "AbortError") return;
        if (error instanceof TypeError && await reachable(origin)) {
          // Up, but not answering this origin: a plain form to the site's page.
          warnNotAllowed(origin);
          form.submit();
          return;
        }
        render(q, {});
        count.textContent = "Sorry, the search is not available right now.";
      }
    });
  }

  /* Whether the site answers at all (a no-cors request needs no CORS). */
  const reachable = (origin) =>
    fetch(`${origin}/healthz`, {mode: "no-cors"}).then(() => true, () => false);

  let warned = false;
  function warnNotAllowed(origin) {
    if (!warned) console.warn(`sci-search: add ${location.origin} to ` +
      `SCISEARCH_CORS_ORIGINS on ${origin} to show results here.`);
    warned = true;
  }

  function start() {
    for (const form of document.querySelectorAll("form[data-scisearch-suggest]")) {
      enhanceForm(form);
    }
    for (const host of document.querySelectorAll("[data-scisearch]")) {
      if (!host.classList.contains("scisearch-widget")) embed(host);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, {once: true});
  } else {
    start();
  }
})();
