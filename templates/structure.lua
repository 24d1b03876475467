-- The contract's structure for each writer, from a map that mc2 itself passes as the
-- metadata value `mc2-structure` (JSON, never read from the Markdown):
--   {"sections": {"4.": "section-id", ...},
--    "clauses": {"4.1": ["clause.id", "mc2_clause_id"], ...},
--    "signatures": "Signatures", "break_before": "Schedule A: Key Terms"}
-- Runs after sanitize.lua, so no attribute written in a clause text ever reaches here.
--
-- Every writer: section and clause headings get stable identifiers (the section or clause
-- id, the clause bookmark name in DOCX) and "Section 4.1" becomes a link to its clause.
-- DOCX: heading numbers are dropped from the text (Word's list numbering supplies them), a
-- cross-reference becomes a REF field to the clause's bookmark with the current number as
-- its cached result, and headings that carry no number are marked with a hidden bookmark
-- (mc2mark_plain_N; mc2mark_sign_N on the signatures, mc2mark_break_N on Schedule A)
-- that mc2's DOCX post-processing reads and removes.

local map = nil
local docx = FORMAT == "docx"

local function plain_text(inlines)
  return pandoc.utils.stringify(inlines)
end

local function ref_field(bookmark, number)
  return pandoc.RawInline("openxml",
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    .. '<w:r><w:instrText xml:space="preserve"> REF ' .. bookmark
    .. ' \\n \\h </w:instrText></w:r>'
    .. '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    .. '<w:r><w:t>' .. number .. '</w:t></w:r>'
    .. '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
end

-- "Section" + space + "4.1" (with any trailing punctuation) -> a reference to clause 4.1.
local function references(inlines)
  local out = pandoc.List()
  local i = 1
  while i <= #inlines do
    local el = inlines[i]
    local gap, nxt = inlines[i + 1], inlines[i + 2]
    local done = false
    if el.t == "Str" and el.text == "Section" and gap and nxt
        and (gap.t == "Space" or gap.t == "SoftBreak") and nxt.t == "Str" then
      local number, rest = nxt.text:match("^(%d+%.%d+)(.*)$")
      local target = number and map.clauses[number]
      if target then
        if docx then
          out:insert(pandoc.Str("Section"))
          out:insert(pandoc.Space())
          out:insert(ref_field(target[2], number))
        else
          out:insert(pandoc.Link({pandoc.Str("Section"), pandoc.Space(), pandoc.Str(number)},
                                 "#" .. target[1]))
        end
        if rest ~= "" then out:insert(pandoc.Str(rest)) end
        i = i + 3
        done = true
      end
    end
    if not done then
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

local plain_count = 0

local function header(h)
  local first = h.content[1]
  local number = first and first.t == "Str" and first.text or nil
  local second = h.content[2]
  local numbered = number and second and second.t == "Space"
  if h.level == 2 and numbered and map.sections[number] then
    h.identifier = docx and "" or map.sections[number]
  elseif h.level == 3 and numbered and map.clauses[number] then
    h.identifier = map.clauses[number][docx and 2 or 1]
  else
    if docx and h.level >= 2 then
      plain_count = plain_count + 1
      local text = plain_text(h.content)
      local kind = (text == map.break_before and "break")
                   or (text == map.signatures and "sign") or "plain"
      h.identifier = "mc2mark_" .. kind .. "_" .. plain_count
    end
    return h
  end
  if docx then
    local rest = pandoc.List()
    for k = 3, #h.content do rest:insert(h.content[k]) end
    h.content = rest
  end
  return h
end

-- Tables span the text width, columns in proportion to their longest cell (within limits),
-- so every schedule lines up alike instead of some shrinking to their content.
local function widen(tbl)
  for _, spec in ipairs(tbl.colspecs) do
    if spec[2] ~= nil and spec[2] ~= 0 then return tbl end
  end
  local longest = {}
  local function measure(rows, header)
    for _, row in ipairs(rows) do
      for c, cell in ipairs(row.cells) do
        local text = plain_text(cell.contents)
        local n = #text
        if header then  -- a heading may wrap, but between words, and it is bold
          n = 0
          for word in text:gmatch("%S+") do n = math.max(n, #word + 5) end
        end
        longest[c] = math.max(longest[c] or 0, math.min(math.max(n, 11), 40))
      end
    end
  end
  measure(tbl.head.rows, true)
  for _, body in ipairs(tbl.bodies) do measure(body.body, false) end
  local total = 0
  for c = 1, #tbl.colspecs do total = total + (longest[c] or 11) end
  for c, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[c] = {spec[1], (longest[c] or 11) / total}
  end
  return tbl
end

-- The signature block: the rows to sign in are tall, and the block stays on one page.
local function sign_rows(tbl)
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      local label = plain_text(row.cells[1].contents)
      if label == "Signature" or label == "Date" then
        row.attr = pandoc.Attr("", {"sign-" .. label:lower()})
        if FORMAT == "typst" then
          for c = 2, #row.cells do
            if #row.cells[c].contents == 0 then
              row.cells[c].contents = {pandoc.RawBlock("typst",
                label == "Signature" and "#v(2.6em)" or "#v(1.2em)")}
            end
          end
        end
      end
    end
  end
  return tbl
end

local function keep_together(blocks)
  if FORMAT == "typst" then
    local out = pandoc.List({pandoc.RawBlock("typst", "#block(breakable: false)[")})
    out:extend(blocks)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end
  if docx then return blocks end
  return pandoc.List({pandoc.Div(blocks, pandoc.Attr("", {"signatures"}))})
end

-- The blocks from the signature heading to the next heading of its level, kept together.
local function signature_block(blocks)
  local out, i = pandoc.List(), 1
  while i <= #blocks do
    local b = blocks[i]
    if b.t == "Header" and plain_text(b.content) == map.signatures then
      local group = pandoc.List({b})
      i = i + 1
      while i <= #blocks and not (blocks[i].t == "Header" and blocks[i].level <= b.level) do
        local inner = blocks[i]
        if inner.t == "Table" then inner = sign_rows(inner) end
        group:insert(inner)
        i = i + 1
      end
      out:extend(keep_together(group))
    else
      out:insert(b)
      i = i + 1
    end
  end
  return out
end

-- Only blocks whose text holds "Section <digit>" are walked for references: stringify reads a
-- block without turning its content into Lua values, which for every inline list of the
-- contract cost as much as pandoc's own conversion. Blocks are walked bottom-up, so a table's
-- cells have their references before the table is measured, as headings do before header().
local function may_refer(el)
  return pandoc.utils.stringify(el):find("Section%s+%d") ~= nil
end

-- A footnote's paragraphs are blocks of their own, walked before the paragraph that holds
-- the note: the note is set aside while that paragraph is walked, so nothing is linked twice.
local function with_references(el)
  if not (map and may_refer(el)) then
    return nil
  end
  local notes = {}
  el = el:walk({Note = function(note)
    notes[#notes + 1] = note
    return pandoc.Str("\0mc2note" .. #notes)
  end})
  el = el:walk({Inlines = references})
  if #notes == 0 then
    return el
  end
  return el:walk({Str = function(str)
    local k = str.text:match("^\0mc2note(%d+)$")
    if k then return notes[tonumber(k)] end
  end})
end

local function term_references(dl)
  if not map then return nil end
  local changed = false
  for _, item in ipairs(dl.content) do
    local term = with_references(pandoc.Plain(item[1]))
    if term then
      item[1] = term.content
      changed = true
    end
  end
  return changed and dl or nil
end

return {
  {Meta = function(meta)
    local raw = meta["mc2-structure"]
    if raw == nil then return nil end
    map = pandoc.json.decode(pandoc.utils.stringify(raw))
    meta["mc2-structure"] = nil
    return meta
  end},
  {Para = with_references,
   Plain = with_references,
   DefinitionList = term_references,
   Header = function(h)
     if not map then return nil end
     return header(with_references(h) or h)
   end,
   Table = function(t) if map then return widen(t) end end},
  {Pandoc = function(doc)
    if map then
      doc.blocks = signature_block(doc.blocks)
      return doc
    end
  end},
}
