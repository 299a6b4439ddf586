/* The handbook's search worker: Material for MkDocs' worker protocol over a sharded index.
 *
 * Material's search UI (the header search box) talks to a web worker through four messages
 * (SETUP 0, READY 1, QUERY 2, RESULT 3; see Material's integrations/search/worker) and lets a
 * site bring its own worker (`__config.search`). This worker answers the same messages, but
 * instead of building a lunr index from every document at SETUP, it reads a small manifest
 * (`config.handbook`, written by handbook.search.shards) and fetches, per query, only:
 *   - the posting shards of the terms typed (`shards/<hex of a term prefix>.json`: term ->
 *     [document delta, field, term frequency, ...]; weighed as lunr does, BM25 with b = 0 as
 *     Material configures it), and
 *   - the documents (title, text) of the best pages, to show and highlight them
 *     (`docs/<page>.json`); further pages are listed with their title only.
 * Scoring, query syntax, grouping, the post-query boosts and the suggestions follow Material's
 * lunr-based worker (mkdocs-material 9.x, MIT licence, integrations/search/_/index.ts), so the
 * results are ranked as before. Nothing is requested from another host.
 */
"use strict";

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
const REQUIRED = 2, PROHIBITED = 3, OPTIONAL = 1;
const TRIM = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const PAUSE = 100;             // ms a query waits for the next letter before it is fetched

let index = null;              // {config, meta, base, options, shards: Map, docs: Map}
let queue = Promise.resolve();
let latest = 0;                // number of the newest query received

self.addEventListener("message", ev => {
  // One message after the other, so that results come back in the order of the queries; a
  // query that a newer one has replaced before it was answered gets no answer (the search box
  // shows the newest query's results only). The answer names its query (`data.query`).
  const number = ev.data && ev.data.type === QUERY ? ++latest : latest;
  queue = queue.then(() => handle(ev.data, () => number < latest)).then(
    reply => reply && self.postMessage(reply),
    err => {
      console.warn("search:", err);
      self.postMessage({type: RESULT, data: {items: [], query: ev.data && ev.data.data}});
    });
});

async function handle(message, superseded) {
  switch (message.type) {
    case SETUP: {
      const {config, options} = message.data;
      const meta = config.handbook;
      index = {
        config, meta, options: options || {},
        base: new URL(meta.index, self.location.href),
        separator: new RegExp(config.separator, "g"),
        stop: new Set(meta.stopwords || []),
        keys: Object.keys(meta.shards),   // key -> size in KB
        shards: new Map(),       // key -> Promise<{term: postings}>
        docs: new Map(),         // page -> Promise<[[location, title, text, tags?], ...]>
      };
      return {type: READY};
    }
    case QUERY: {
      // A reader who is still typing sends the next letter within this pause; only the query
      // that stands after it is fetched and answered.
      if (superseded()) return null;
      if (message.data) await new Promise(resolve => setTimeout(resolve, PAUSE));
      if (superseded()) return null;
      const data = await search(message.data, superseded);
      return data && {type: RESULT, data: {...data, query: message.data}};
    }
    default:
      throw new TypeError("Invalid message type");
  }
}

/* ---- fetching --------------------------------------------------------------------------- */

function fetchJSON(path) {
  // The offline copy (file://, where fetch fails) carries every file in the manifest.
  if (index.meta.inline) {
    const found = index.meta.inline[path];
    return found === undefined ? Promise.reject(new Error(`${path}: not in the offline index`))
                               : Promise.resolve(found);
  }
  const url = new URL(path, index.base);
  url.searchParams.set("v", index.meta.v);
  return fetch(url.href).then(r => {
    if (!r.ok) throw new Error(`${url.pathname}: HTTP ${r.status}`);
    return r.json();
  });
}

function shard(key) {
  if (!index.shards.has(key))
    index.shards.set(key, fetchJSON(`shards/${hex(key)}.json`).catch(err => {
      index.shards.delete(key);
      throw err;
    }));
  return index.shards.get(key);
}

function pageDocs(page) {
  if (!index.docs.has(page))
    index.docs.set(page, fetchJSON(`docs/${page}.json`).catch(err => {
      index.docs.delete(page);
      throw err;
    }));
  return index.docs.get(page);
}

function hex(key) {
  return Array.from(new TextEncoder().encode(key), b => b.toString(16).padStart(2, "0")).join("");
}

/* Shards a term needs: for a prefix query, the keys that are a prefix of it and every key that
   continues it, as long as those shards add up to at most `expand_kb`; otherwise (a short
   prefix of many words, such as `st` while `statistikk` is typed) and for a one-letter or an
   exact term, only the shard of the term itself, which is then matched as a whole word. */
function keysFor(term, wildcard) {
  let own = null;
  for (const k of index.keys)
    if (term.startsWith(k) && (!own || k.length > own.length)) own = k;
  if (wildcard && term.length >= 2) {
    const keys = index.keys.filter(k => k.startsWith(term) || term.startsWith(k));
    const size = keys.reduce((sum, k) => sum + index.meta.shards[k], 0);
    if (size <= index.meta.expand_kb) return {keys, prefix: true};
  }
  return {keys: own ? [own] : [], prefix: false};
}

/* ---- the query, as Material transforms and lunr parses it -------------------------------- */

function transform(query) {
  // Material's integrations/search/query/transform: quoted parts become required terms,
  // stray control characters go, every plain term gets a trailing wildcard.
  query = query.trim()
    .split(/"([^"]+)"/g)
    .map((part, i) => i & 1 ? part.replace(/^\b|^(?![^\x00-\x7F]|$)|\s+/g, " +") : part)
    .join("")
    .replace(/"|(?:^|\s+)[*+\-:^~]+(?=\s+|$)/g, "");
  const terms = [];
  for (const part of query.split(/\s+/g)) {
    if (!part) continue;
    const m = /^([+-]?)((?:[\p{L}\p{N}_]+:)?)(.*?)((?:[~^]\d*)?)$/u.exec(part);
    const [, presence, field, body, modifier] = m;
    for (const word of body.split(index.separator)) {
      if (!word) continue;
      let term = presence + field + word + modifier;
      if (/[~^]$/.test(term)) term += "1";
      if (!/(^[+-]|[~^]\d+$)/.test(term) && !term.endsWith("*")) term += "*";
      terms.push(term);
    }
  }
  return terms;
}

function parse(terms) {
  const fields = index.meta.fields;
  return terms.map(raw => {
    const clause = {presence: OPTIONAL, fields: fields.map((_, i) => i), boost: 1,
                    wildcard: false, term: raw};
    let t = raw;
    if (t[0] === "+") { clause.presence = REQUIRED; t = t.slice(1); }
    else if (t[0] === "-") { clause.presence = PROHIBITED; t = t.slice(1); }
    const f = /^([\p{L}\p{N}_]+):(.+)$/u.exec(t);
    if (f && fields.includes(f[1])) { clause.fields = [fields.indexOf(f[1])]; t = f[2]; }
    const mod = /([~^])(\d+)$/.exec(t);
    if (mod) {
      if (mod[1] === "^") clause.boost = Number(mod[2]) || 1;
      t = t.slice(0, -mod[0].length);
    }
    t = t.replace(/^\*+/, "");                      // leading wildcards: read as a prefix
    if (t.endsWith("*")) { clause.wildcard = true; t = t.replace(/\*+$/, ""); }
    clause.term = t.toLowerCase();
    return clause;
  }).filter(c => c.term);
}

function pipeline(term) {
  const t = term.replace(TRIM, "");
  return !t || index.stop.has(t) ? null : t;
}

/* ---- scoring: lunr's Index#query over the loaded shards ---------------------------------- */

async function expand(clauses) {
  const keys = new Set();
  for (const c of clauses) {
    c.lookup = c.wildcard ? c.term : pipeline(c.term);
    if (!c.lookup) continue;
    const found = keysFor(c.lookup, c.wildcard);
    c.prefix = found.prefix;
    for (const k of found.keys) keys.add(k);
  }
  const loaded = await Promise.all([...keys].map(k => shard(k).then(data => [k, data])));
  for (const c of clauses) {
    c.expanded = [];
    if (!c.lookup) continue;
    for (const [, data] of loaded)
      for (const term in data)
        if (c.prefix ? term.startsWith(c.lookup) : term === c.lookup)
          c.expanded.push([term, data[term]]);
  }
}

function decode(postings) {
  // lunr's Builder#createFieldVectors with b = 0: idf over the document-field pairs that have
  // the term, k1 = 1.2, times the document's boost, rounded to three decimals.
  const n = index.meta.documents, df = postings.length / 3;
  const idf = Math.log(1 + Math.abs((n - df + 0.5) / (df + 0.5)));
  const boosts = index.meta.doc_boosts || {};
  const out = [];
  for (let i = 0, doc = 0; i < postings.length; i += 3) {
    doc += postings[i];
    const tf = postings[i + 2];
    const w = idf * 2.2 * tf / (1.2 + tf) * (boosts[doc] || 1);
    out.push([doc, postings[i + 1], Math.round(w * 1000) / 1000]);
  }
  return out;
}

function score(clauses, restrict) {
  const boosts = index.meta.boosts;
  const nfields = boosts.length;
  const query = new Map();                 // field -> Map(term -> boost)
  const matches = new Map();               // doc -> {fields: Map(field -> Set(term))}
  const required = [], prohibited = new Set();
  for (const c of clauses) {
    const fields = restrict === undefined ? c.fields : [restrict];
    const hit = new Set();
    for (const [term, postings] of c.expanded) {
      const decoded = decode(postings);
      for (const [doc, field] of decoded)
        if (fields.includes(field)) hit.add(doc);
      if (c.presence === PROHIBITED) continue;
      for (const f of fields) {
        if (!query.has(f)) query.set(f, new Map());
        const q = query.get(f);
        q.set(term, (q.get(term) || 0) + c.boost);
      }
      for (const [doc, field, weight] of decoded) {
        if (!fields.includes(field)) continue;
        let m = matches.get(doc);
        if (!m) matches.set(doc, m = new Map());
        let f = m.get(field);
        if (!f) m.set(field, f = new Map());
        f.set(term, weight * boosts[field]);
      }
    }
    if (c.presence === REQUIRED) required.push(hit);
    if (c.presence === PROHIBITED) for (const d of hit) prohibited.add(d);
  }
  const results = [];
  for (const [doc, fields] of matches) {
    if (prohibited.has(doc) || required.some(set => !set.has(doc))) continue;
    let total = 0;
    const terms = new Set();
    for (const [field, weights] of fields) {
      const q = query.get(field);
      let dot = 0, norm = 0;
      for (const value of q.values()) norm += value * value;
      for (const [term, weight] of weights) {
        dot += weight * (q.get(term) || 0);
        terms.add(term);
      }
      total += norm ? dot / Math.sqrt(norm) : 0;
    }
    if (nfields) results.push({doc, score: total, terms: [...terms], fields});
  }
  return results.sort((a, b) => b.score - a.score);
}

/* ---- Material's post-processing: boosts, grouping by page, suggestions ------------------ */

function pageOf(doc) {
  const pages = index.meta.pages;
  let lo = 0, hi = pages.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pages[mid][2] <= doc) lo = mid; else hi = mid - 1;
  }
  return lo;
}

function clauseTerms(clauses, terms) {
  // Material's getSearchQueryTerms: which typed words this document contains.
  const open = new Set(clauses.filter(c => c.presence !== PROHIBITED));
  const result = {};
  for (const t of terms)
    for (const c of open)
      if (t.startsWith(c.term)) { result[c.term] = true; open.delete(c); }
  for (const c of open)
    if (!index.stop.has(c.term)) result[c.term] = false;
  return result;
}

async function search(query, superseded = () => false) {
  if (!index) return {items: []};
  const clauses = parse(transform(query));
  if (!clauses.length) return {items: []};
  await expand(clauses);
  if (superseded()) return null;
  const hits = score(clauses).map(hit => {
    const page = pageOf(hit.doc);
    const article = index.meta.pages[page][2] === hit.doc;
    const terms = clauseTerms(clauses, hit.terms);
    const values = Object.values(terms);
    const boost = +article + values.filter(v => v).length / values.length;
    return {...hit, page, article, terms, score: hit.score * (1 + boost ** 2)};
  }).sort((a, b) => b.score - a.score);

  const groups = new Map();
  for (const hit of hits) {
    if (!groups.has(hit.page)) groups.set(hit.page, []);
    groups.get(hit.page).push(hit);
  }
  const shown = [...groups.keys()].slice(0, index.meta.full_pages);
  const docs = new Map(await Promise.all(shown.map(p => pageDocs(p).then(d => [p, d]))));
  const items = [];
  for (const [page, group] of groups) {
    const [url, title, first] = index.meta.pages[page];
    const stored = docs.get(page);
    if (!stored) {   // beyond the first pages: the page's title, no sections, no text
      items.push([{location: url, title, text: "", score: group[0].score,
                   terms: group[0].terms}]);
      continue;
    }
    const list = group.map(hit => {
      const [location, docTitle, text, tags] = stored[hit.doc - first];
      const [inTitle, inText] = matchedTerms(hit);
      const out = {location, title: highlight(docTitle, inTitle, true),
                   text: highlight(text, inText, false), score: hit.score, terms: hit.terms};
      if (tags) out.tags = tags;
      return out;
    });
    if (!group.some(h => h.article)) {
      const [location, docTitle, text, tags] = stored[0];
      list.push({location, title: docTitle, text, score: 0, terms: {}, ...(tags ? {tags} : {})});
    }
    items.push(list);
  }
  const result = {items};
  if (index.options.suggest) result.suggest = suggest(clauses);
  return result;
}

function matchedTerms(hit) {
  // The matched words of the title and text fields, to mark where they stand.
  const fields = index.meta.fields;
  return ["title", "text"].map(name => {
    const weights = (hit.fields || new Map()).get(fields.indexOf(name));
    return new Set(weights ? weights.keys() : []);
  });
}

function suggest(clauses) {
  const title = index.meta.fields.indexOf("title");
  if (title < 0) return [];
  const required = clauses.filter(c => c.presence !== PROHIBITED)
    .map(c => ({...c, presence: REQUIRED}));
  const best = score(required, title)[0];
  if (!best) return [];
  const terms = [...best.fields.get(title).keys()];
  const order = required.map(c => terms.filter(t => t.startsWith(c.term)));
  return [...new Set(order.flat())];
}

/* ---- highlighting, as Material's worker does it ------------------------------------------ */

// Material's integrations/search/internal/extract: top-level blocks of an HTML string.
function blocks(input) {
  const out = [];                        // [block, type (0 open, 1 text, 2 close), start, end]
  let block = 0, start = 0, end = 0;
  for (let stack = 0; end < input.length; end++) {
    if (input.charAt(end) === "<" && end > start) {
      out.push([block, 1, start, end]);
      start = end;
    } else if (input.charAt(end) === ">") {
      if (input.charAt(start + 1) === "/") {
        if (--stack === 0) out.push([block++, 2, start, end + 1]);
      } else if (input.charAt(end - 1) !== "/") {
        if (stack++ === 0) out.push([block, 0, start, end + 1]);
      }
      start = end + 1;
    }
  }
  if (end > start) out.push([block, 1, start, end]);
  return out;
}

function highlight(input, terms, full) {
  if (!input || !terms.size) return input || "";
  const spans = new Map();               // block -> [[start, end, marked]]
  for (const [block, type, start, end] of blocks(input)) {
    if (!spans.has(block)) spans.set(block, []);
    if (type !== 1) { spans.get(block).push([start, end, false]); continue; }
    const text = input.slice(start, end);
    const sep = new RegExp(index.separator.source, "g");
    let at = 0, m;
    do {
      m = sep.exec(text);
      const until = m ? m.index : text.length;
      if (at < until) {
        const word = text.slice(at, until).toLowerCase().replace(TRIM, "");
        spans.get(block).push([start + at, start + until, terms.has(word)]);
      }
      if (m) {
        at = m.index + m[0].length;
        if (!m[0].length) sep.lastIndex = m.index + 1;
      }
    } while (m);
  }
  const marked = [...spans].filter(([, s]) => s.some(x => x[2]));
  if (!marked.length) return input;
  const slices = [];
  let cursor = 0;
  for (const [, s] of marked) {
    const from = s[0][0], to = s[s.length - 1][1];
    if (full && from > cursor) slices.push(input.slice(cursor, from));
    let slice = "", pos = from;
    for (const [a, b, hit] of s) {
      if (!hit) continue;
      slice += input.slice(pos, a) + "<mark>" + input.slice(a, b) + "</mark>";
      pos = b;
    }
    slices.push(slice + input.slice(pos, to));
    cursor = to;
    if (!full && slices.length === 2) break;
  }
  if (full && cursor < input.length) slices.push(input.slice(cursor));
  return slices.join("");
}
