// `cudafit fleet --format html`: one page that works from a file with no network: its style and
// script are inline, a Content-Security-Policy forbids fetching anything, the chart is SVG.
// Every table sorts by a click on its header; "#selftest" in the address makes the script sort
// each table both ways and write whether the order held into <body data-selftest>.
#include <algorithm>

#include "fleet/fleet.h"
#include "util/strings.h"

namespace cudafit {
namespace {

std::string esc(std::string_view raw) {
  const std::string s = to_valid_utf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.4em 0}
th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}
th{background:#eee;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
td.n{text-align:right}.error{color:#b00020}.warning{color:#a65e00}.info{color:#555}
code{background:#f4f4f4;padding:.1em .3em}
.names{max-width:60em}
)";

// Sorting: numbers as numbers (a cell's data-v when given), else text; stable both ways.
const char* kScript = R"(
(function(){
  function key(td){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;var n=Number(v);
    return v!==''&&!isNaN(n)?{n:n}:{s:v.toLowerCase()};}
  function cmp(a,b){if('n' in a&&'n' in b)return a.n-b.n;var x=('s' in a)?a.s:String(a.n),
    y=('s' in b)?b.s:String(b.n);return x<y?-1:x>y?1:0;}
  function sortBy(table,col,dir){var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
    var keyed=rows.map(function(r,i){return {r:r,k:key(r.cells[col]),i:i};});
    keyed.sort(function(a,b){var c=cmp(a.k,b.k);return c!==0?c*dir:a.i-b.i;});
    var frag=document.createDocumentFragment();keyed.forEach(function(e){frag.appendChild(e.r);});
    body.appendChild(frag);var ths=table.tHead.rows[0].cells;
    for(var i=0;i<ths.length;i++)ths[i].removeAttribute('aria-sort');
    ths[col].setAttribute('aria-sort',dir>0?'ascending':'descending');}
  var tables=document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables,function(t){
    Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,col){
      th.addEventListener('click',function(){
        sortBy(t,col,th.getAttribute('aria-sort')==='ascending'?-1:1);});});});
  document.body.setAttribute('data-sortable',String(tables.length));
  if(location.hash==='#selftest'){var bad=[];
    Array.prototype.forEach.call(tables,function(t){if(t.tBodies[0].rows.length<2)return;
      var cols=t.tHead.rows[0].cells.length;
      for(var c=0;c<cols;c++){[1,-1].forEach(function(dir){sortBy(t,c,dir);var r=t.tBodies[0].rows;
        for(var i=1;i<r.length;i++)if(cmp(key(r[i-1].cells[c]),key(r[i].cells[c]))*dir>0){
          bad.push(t.id+' column '+c);break;}});}});
    document.body.setAttribute('data-selftest',bad.length?'fail: '+bad.join(', '):'ok');}
})();
)";

class Page {
 public:
  std::string out;
  void table(const std::string& id, const std::vector<std::string>& heads,
             const std::vector<std::vector<std::pair<std::string, bool>>>& rows) {
    out += "<table class=\"sortable\" id=\"" + id + "\"><thead><tr>";
    for (const auto& h : heads) out += "<th>" + esc(h) + "</th>";
    out += "</tr></thead><tbody>\n";
    for (const auto& row : rows) {
      out += "<tr>";
      for (const auto& [cell, number] : row)
        out += number ? "<td class=\"n\">" + esc(cell) + "</td>" : "<td>" + esc(cell) + "</td>";
      out += "</tr>\n";
    }
    out += "</tbody></table>\n";
  }
  void counts(const std::string& id, const std::string& title, const std::string& what,
              const std::vector<FleetCount>& rows, const char* items) {
    out += "<h2>" + esc(title) + "</h2>\n";
    std::vector<std::string> heads = {what, "machines"};
    if (items != nullptr) heads.emplace_back(items);
    heads.emplace_back("detail");
    std::vector<std::vector<std::pair<std::string, bool>>> cells;
    for (const auto& r : rows) {
      std::vector<std::pair<std::string, bool>> row = {{r.key, false},
                                                       {std::to_string(r.machines), true}};
      if (items != nullptr) row.emplace_back(std::to_string(r.items), true);
      row.emplace_back(join(r.detail, ", "), false);
      cells.push_back(std::move(row));
    }
    table(id, heads, cells);
  }
};

std::string chart(const std::vector<FleetFindingGroup>& findings, int machines) {
  if (findings.empty()) return "<p>No findings on any machine.</p>\n";
  const int bar_x = 260, bar_w = 420, row_h = 22;
  const int height = row_h * static_cast<int>(findings.size()) + 10;
  std::string svg = "<svg id=\"findings-chart\" width=\"" + std::to_string(bar_x + bar_w + 90) +
                    "\" height=\"" + std::to_string(height) +
                    "\" role=\"img\" aria-label=\"findings by machine count\">\n";
  std::size_t top = 1;
  for (const auto& f : findings) top = std::max(top, f.machines.size());
  int y = 5;
  for (const auto& f : findings) {
    const int w = std::max(1, static_cast<int>(static_cast<double>(f.machines.size()) * bar_w /
                                               static_cast<double>(top)));
    const char* color = f.severity == Severity::kError     ? "#b00020"
                        : f.severity == Severity::kWarning ? "#e69500"
                                                           : "#7a7a7a";
    svg += "<g class=\"bar\" data-id=\"" + esc(f.id) + "\"><text x=\"" + std::to_string(bar_x - 8) +
           "\" y=\"" + std::to_string(y + 15) + "\" text-anchor=\"end\" font-size=\"13\">" +
           esc(f.id) + "</text><rect x=\"" + std::to_string(bar_x) + "\" y=\"" +
           std::to_string(y + 3) + "\" width=\"" + std::to_string(w) + "\" height=\"" +
           std::to_string(row_h - 6) + "\" fill=\"" + color + "\"><title>" + esc(f.id) + ": " +
           std::to_string(f.machines.size()) + " of " + std::to_string(machines) +
           " machines</title></rect><text x=\"" + std::to_string(bar_x + w + 6) + "\" y=\"" +
           std::to_string(y + 15) + "\" font-size=\"13\">" + std::to_string(f.machines.size()) +
           "</text></g>\n";
    y += row_h;
  }
  return svg + "</svg>\n";
}

}  // namespace

std::string fleet_html(const FleetSummary& s) {
  Page p;
  std::string& out = p.out;
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
      "<title>cudafit fleet: " +
      std::to_string(s.machines) + " machines</title>\n<style>" + kStyle +
      "</style></head>\n<body>\n";
  out += "<h1>cudafit fleet: <span id=\"machine-count\">" + std::to_string(s.machines) +
         "</span> machines</h1>\n<p>" + std::to_string(s.healthy) + " without errors; " +
         std::to_string(s.inputs) + " inputs";
  if (!s.newest_report.empty())
    out += "; reports from " + esc(s.oldest_report) + " to " + esc(s.newest_report);
  out += ".</p>\n";

  out += "<h2>Findings by machine count</h2>\n" + chart(s.findings, s.machines);
  std::vector<std::vector<std::pair<std::string, bool>>> rows;
  for (const auto& f : s.findings)
    rows.push_back({{f.id, false},
                    {std::string(to_string(f.severity)), false},
                    {std::to_string(f.machines.size()), true},
                    {join(f.machines, ", "), false}});
  p.table("findings", {"finding", "severity", "machines", "which"}, rows);

  out += "<h2>Install: the one command that runs on the most machines</h2>\n";
  if (!s.install.found) {
    out += "<p>No CUDA build of torch runs on any of these machines.</p>\n";
  } else {
    out += "<p><code id=\"install-command\">" + esc(s.install.command) + "</code></p>\n<p>torch " +
           esc(s.install.torch) + " " + esc(s.install.variant) + " runs on " +
           std::to_string(s.install.runs_on) + " of " + std::to_string(s.machines) + " machines (" +
           std::to_string(s.install.ok) + " ok); it leaves out " +
           std::to_string(s.install.left_out.size()) + ":</p>\n";
    if (s.install.newer_steps.size() > 1) {
      out += "<p>Newer releases run on fewer machines:";
      for (const auto& st : s.install.newer_steps) {
        out.append(" ").append(esc(st.torch)).append(" ").append(esc(st.variant));
        out.append(" (").append(std::to_string(st.runs_on)).append(");");
      }
      out.back() = ' ';
      out += "</p>\n";
    }
    rows.clear();
    for (const auto& [m, why] : s.install.left_out) rows.push_back({{m, false}, {why, false}});
    p.table("install-left-out", {"machine", "why"}, rows);
  }

  out += "<h2>Driver support</h2>\n";
  rows.clear();
  for (const auto& l : s.lifecycle)
    rows.push_back({{l.machine, false},
                    {l.driver, false},
                    {l.last_branch ? "last branch" : "end of life", false},
                    {l.why, false}});
  p.table("driver-support", {"machine", "driver", "kind", "why"}, rows);

  p.counts("driver-branches", "Driver branches", "branch", s.driver_branches, nullptr);
  p.counts("gpu-models", "GPU models", "model", s.gpu_models, "GPUs");
  p.counts("compute-capabilities", "Compute capabilities", "compute capability",
           s.compute_capabilities, "GPUs");
  p.counts("torch-builds", "torch builds", "build", s.torch_builds, "environments");

  out += "<h2>Machines</h2>\n";
  rows.clear();
  for (const auto& r : s.rows)
    rows.push_back({{r.name, false},
                    {r.driver, false},
                    {r.gpus, false},
                    {r.torch, false},
                    {std::to_string(r.errors), true},
                    {std::to_string(r.warnings), true},
                    {r.findings, false}});
  p.table("machines", {"machine", "driver", "GPUs", "torch", "errors", "warnings", "findings"},
          rows);

  out += "<h2>Skipped inputs</h2>\n";
  rows.clear();
  for (const auto& sk : s.skipped)
    rows.push_back({{sk.input, false},
                    {std::to_string(sk.reasons.size()), true},
                    {join(sk.reasons, "; "), false}});
  p.table("skipped", {"input", "skipped", "why"}, rows);
  out += std::string("<script>") + kScript + "</script>\n</body></html>\n";
  return out;
}

}  // namespace cudafit
