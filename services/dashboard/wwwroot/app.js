// The sales page: reads the filters from the URL (so a view can be shared), asks /api/... for the
// figures and draws them with ECharts (vendored under vendor/, no network needed). When everything
// is drawn, body[data-state] is "ready" ("error" when a request failed).
"use strict";

const charts = {};
const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const $ = (id) => document.getElementById(id);

// Amounts arrive as JSON decimals with two places; below 10^13 a double prints them back exactly.
const money = (v) => Number(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = (v) => Number(v).toLocaleString("en-US");

function isoDate(d) { return d.toISOString().slice(0, 10); }
function addDays(text, days) { const d = new Date(text + "T00:00:00Z"); d.setUTCDate(d.getUTCDate() + days); return isoDate(d); }

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && (body.detail || body.title)) || `${path}: HTTP ${response.status}`);
  return body;
}

function chart(id) {
  if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: "canvas" });
  return charts[id];
}

// The query string's filters; missing dates default to the last 28 days with sales (four whole weeks).
function filtersFromUrl(choices) {
  const q = new URLSearchParams(location.search);
  const last = choices.last_date || isoDate(new Date());
  const f = { from: q.get("from") || addDays(last, -27), to: q.get("to") || last, store: q.get("store") || "", category: q.get("category") || "" };
  return f;
}

function query(f) {
  const q = new URLSearchParams({ from: f.from, to: f.to });
  if (f.store) q.set("store", f.store);
  if (f.category) q.set("category", f.category);
  return q.toString();
}

function fillChoices(choices) {
  for (const s of choices.stores) $("store").add(new Option(`${s.store_location} (${s.store_id})`, String(s.store_id)));
  for (const c of choices.categories) $("category").add(new Option(c, c));
}

function showFilters(f) {
  $("from").value = f.from; $("to").value = f.to; $("store").value = f.store; $("category").value = f.category;
}

function kpi(id, current, previous, format) {
  const el = $(id);
  el.querySelector(".value").textContent = current === null ? "–" : format(current);
  el.dataset.value = current === null ? "" : String(current);
  const delta = el.querySelector(".delta");
  delta.className = "delta";
  if (current === null || previous === null || Number(previous) === 0) {
    delta.textContent = previous === null || Number(previous) === 0 ? "no sales in the previous period" : "";
    return;
  }
  const change = (Number(current) - Number(previous)) / Number(previous) * 100;
  delta.textContent = `${change >= 0 ? "+" : ""}${change.toFixed(1)}% vs ${format(previous)}`;
  delta.classList.add(change >= 0 ? "up" : "down");
}

function drawSummary(s) {
  $("period").textContent = `${s.from} to ${s.to}, compared with ${s.previous_from} to ${s.previous_to}`;
  kpi("kpi-revenue", s.current.revenue.toFixed(2), s.previous.revenue.toFixed(2), money);
  kpi("kpi-transactions", s.current.transactions, s.previous.transactions, count);
  kpi("kpi-items", s.current.items, s.previous.items, count);
  kpi("kpi-ticket", s.current.average_ticket === null ? null : s.current.average_ticket.toFixed(2),
      s.previous.average_ticket === null ? null : s.previous.average_ticket.toFixed(2), money);
}

const grid = { left: 8, right: 16, top: 16, bottom: 8, containLabel: true };
const moneyAxis = { type: "value", axisLabel: { hideOverlap: true, formatter: (v) => Number(v).toLocaleString("en-US") } };
const tooltip = { trigger: "axis", valueFormatter: (v) => money(v) };

function drawDaily(days, f) {
  // Every day of the period, zero where there was no sale.
  const byDate = new Map(days.map((d) => [d.date, d.revenue]));
  const dates = [];
  for (let d = f.from; d <= f.to; d = addDays(d, 1)) dates.push(d);
  chart("chart-daily").setOption({ grid, tooltip, xAxis: { type: "category", data: dates }, yAxis: moneyAxis,
    series: [{ type: "line", name: "Revenue", data: dates.map((d) => byDate.get(d) ?? 0), showSymbol: dates.length < 60, areaStyle: { opacity: .08 } }] }, true);
}

function drawMonthly(months) {
  chart("chart-monthly").setOption({ grid, tooltip, xAxis: { type: "category", data: months.map((m) => m.month) }, yAxis: moneyAxis,
    series: [{ type: "line", name: "Revenue", data: months.map((m) => m.revenue), showSymbol: true }] }, true);
}

function drawStores(stores) {
  chart("chart-stores").setOption({ grid, tooltip, xAxis: moneyAxis,
    yAxis: { type: "category", inverse: true, data: stores.map((s) => `${s.store_location} (${s.store_id})`) },
    series: [{ type: "bar", name: "Revenue", data: stores.map((s) => s.revenue), itemStyle: { color: "#8b5a2b" } }] }, true);
}

function drawCategories(rows) {
  const categories = new Map();
  for (const r of rows) {
    if (!categories.has(r.category)) categories.set(r.category, { name: r.category, value: 0, children: [] });
    const c = categories.get(r.category);
    c.value += r.revenue;
    c.children.push({ name: r.product_type, value: r.revenue });
  }
  chart("chart-categories").setOption({ tooltip: { valueFormatter: (v) => money(v) },
    series: [{ type: "treemap", name: "Revenue", roam: false, nodeClick: false, breadcrumb: { show: false }, top: 0, left: 0, right: 0, bottom: 0,
      data: [...categories.values()], levels: [{ itemStyle: { gapWidth: 2 } }, { itemStyle: { gapWidth: 1 }, upperLabel: { show: false } }],
      label: { formatter: "{b}" } }] }, true);
}

function drawHeatmap(cells) {
  const hours = cells.length ? [...new Set(cells.map((c) => c.hour))] : [];
  const first = hours.length ? Math.min(...hours) : 0, last = hours.length ? Math.max(...hours) : 23;
  const labels = []; for (let h = first; h <= last; h++) labels.push(String(h).padStart(2, "0"));
  const max = cells.reduce((m, c) => Math.max(m, c.revenue), 0);
  chart("chart-heatmap").setOption({ grid: { ...grid, bottom: 48 }, tooltip: { valueFormatter: (v) => money(v) },
    xAxis: { type: "category", data: labels, name: "hour" }, yAxis: { type: "category", data: weekdays, inverse: true },
    visualMap: { min: 0, max: max || 1, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, inRange: { color: ["#fbf3ea", "#8b5a2b"] },
      formatter: (v) => Number(v).toLocaleString("en-US", { maximumFractionDigits: 0 }) },
    series: [{ type: "heatmap", name: "Revenue", data: cells.map((c) => [c.hour - first, c.weekday - 1, c.revenue]) }] }, true);
}

function drawProducts(products) {
  chart("chart-products").setOption({ grid, tooltip, xAxis: moneyAxis,
    yAxis: { type: "category", inverse: true, data: products.map((p) => p.product_detail), axisLabel: { width: 180, overflow: "truncate" } },
    series: [{ type: "bar", name: "Revenue", data: products.map((p) => p.revenue), itemStyle: { color: "#c08552" } }] }, true);
}

function drawPipeline(p) {
  const parts = [];
  parts.push(p.newest_sale_date ? `Newest sale: ${p.newest_sale_date}, hour ${String(p.newest_sale_hour).padStart(2, "0")}` : "No sale in the star schema yet");
  parts.push(p.last_synced_at ? `last batch synced ${p.last_synced_at.replace("T", " ").slice(0, 19)} UTC` : "no batch synced yet");
  parts.push(p.last_completed_at ? `last ingestion completed ${p.last_completed_at.replace("T", " ").slice(0, 19)} UTC` : "no completed ingestion listed");
  $("freshness").textContent = parts.join("; ") + (p.ingest_error ? `. ${p.ingest_error}` : ".");
  const body = $("ingestions").tBodies[0];
  body.replaceChildren(...p.ingestions.map((i) => {
    const tr = document.createElement("tr");
    const reasons = Object.entries(i.quarantined_by_reason || {}).map(([k, v]) => `${k} ${v}`).join(", ");
    const cells = [i.created_at.replace("T", " ").slice(0, 19), i.source, i.state + (i.error ? `: ${i.error}` : ""), count(i.rows_read), count(i.accepted),
      count(i.quarantined) + (reasons ? ` (${reasons})` : ""), i.completed_at ? i.completed_at.replace("T", " ").slice(0, 19) : ""];
    cells.forEach((text, n) => { const td = document.createElement("td"); td.textContent = text; if (n >= 3 && n <= 5) td.className = "num"; tr.append(td); });
    tr.children[2].className = `state-${i.state}`;
    return tr;
  }));
}

async function load(f) {
  document.body.dataset.state = "loading";
  $("error").hidden = true;
  const q = query(f);
  try {
    const [summary, daily, monthly, stores, categories, heatmap, products] = await Promise.all([
      getJson(`api/summary?${q}`), getJson(`api/revenue/daily?${q}`), getJson(`api/revenue/monthly?${q}`), getJson(`api/stores?${q}`),
      getJson(`api/categories?${q}`), getJson(`api/heatmap?${q}`), getJson(`api/products/top?${q}&limit=10`)]);
    drawSummary(summary); drawDaily(daily, f); drawMonthly(monthly); drawStores(stores); drawCategories(categories); drawHeatmap(heatmap); drawProducts(products);
    drawPipeline(await getJson("api/pipeline?limit=10"));
    document.body.dataset.state = "ready";
  } catch (e) {
    $("error").textContent = e.message;
    $("error").hidden = false;
    document.body.dataset.state = "error";
  }
}

async function start() {
  let choices;
  try { choices = await getJson("api/filters"); } catch (e) { $("error").textContent = e.message; $("error").hidden = false; document.body.dataset.state = "error"; return; }
  fillChoices(choices);
  let f = filtersFromUrl(choices);
  showFilters(f);
  await load(f);
  $("filters").addEventListener("submit", async (e) => {
    e.preventDefault();
    f = { from: $("from").value, to: $("to").value, store: $("store").value, category: $("category").value };
    history.pushState(null, "", `?${query(f)}`);
    await load(f);
  });
  addEventListener("popstate", async () => { f = filtersFromUrl(choices); showFilters(f); await load(f); });
  addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
}

start();
