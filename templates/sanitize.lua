-- Defence in depth for every conversion. mc2 emits none of the constructs removed here itself;
-- the reader already has raw HTML and attribute syntax turned off, and check refuses them.
--
-- Raw HTML/LaTeX: pandoc's commonmark reader keeps some raw HTML even with -raw_html, so
-- anything raw is turned back into the plain text it was written as. Images and links are
-- reduced to their words.
--
-- Attributes: every element's classes and key-value attributes are cleared (in HTML they
-- could be event handlers such as onclick; in DOCX, custom-style). Divs and spans are
-- unwrapped to their content. The only attributes kept are those mc2 assigns itself:
--   * heading identifiers. With attribute syntax off no text can write one; the reader makes
--     them from the heading text (gfm_auto_identifiers), and they become the HTML ids and
--     the DOCX heading bookmarks. They are kept, reduced to [A-Za-z0-9_.-].
--   * in a redline only (metadata mc2-tracked-changes, set by mc2 on the command line, never
--     by text), spans of class "insertion" or "deletion", keeping just "author" and "date":
--     pandoc's DOCX writer turns them into tracked changes.
-- Anything that needs other stable ids or bookmarks must assign them here, from a mapping mc2
-- passes itself, or by post-processing the output; never through attribute syntax in text.

local tracked = false

local function safe_id(id)
  return (id or ""):gsub("[^%w_%.%-]", "")
end

local function cleared(el)
  el.attr = pandoc.Attr()
  return el
end

local function clear_table(tbl)
  tbl.attr = pandoc.Attr()
  local function rows(list)
    for _, row in ipairs(list) do
      row.attr = pandoc.Attr()
      for _, cell in ipairs(row.cells) do
        cell.attr = pandoc.Attr()
      end
    end
  end
  tbl.head.attr = pandoc.Attr()
  rows(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    body.attr = pandoc.Attr()
    rows(body.head)
    rows(body.body)
  end
  tbl.foot.attr = pandoc.Attr()
  rows(tbl.foot.rows)
  return tbl
end

local function tracked_span(el)
  if not tracked or #el.classes ~= 1 then
    return false
  end
  local kind = el.classes[1]
  if kind ~= "insertion" and kind ~= "deletion" then
    return false
  end
  local kept = {}
  for _, key in ipairs({"author", "date"}) do
    if el.attributes[key] then
      kept[key] = el.attributes[key]
    end
  end
  el.attr = pandoc.Attr("", {kind}, kept)
  return true
end

local meta = {
  Meta = function(m)
    tracked = m["mc2-tracked-changes"] ~= nil and pandoc.utils.stringify(m["mc2-tracked-changes"]) == "true"
    m["mc2-tracked-changes"] = nil
    return m
  end,
}

local clean = {
  RawInline = function(el)
    return pandoc.Str(el.text)
  end,
  RawBlock = function(el)
    return pandoc.Para({pandoc.Str(el.text)})
  end,
  Image = function(el)
    return el.caption
  end,
  Link = function(el)
    return el.content
  end,
  Span = function(el)
    if tracked_span(el) then
      return el
    end
    return el.content
  end,
  Div = function(el)
    return el.content
  end,
  Header = function(el)
    el.attr = pandoc.Attr(safe_id(el.identifier))
    return el
  end,
  Code = cleared,
  CodeBlock = cleared,
  Figure = cleared,
  Table = clear_table,
}

return {meta, clean}
