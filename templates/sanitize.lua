-- Defence in depth for every conversion: pandoc's commonmark reader keeps raw HTML even
-- with -raw_html, so anything raw is turned back into the plain text it was written as,
-- and images and links are reduced to their words. mc2 never emits any of these itself.
function RawInline(el)
  return pandoc.Str(el.text)
end

function RawBlock(el)
  return pandoc.Para({pandoc.Str(el.text)})
end

function Image(el)
  return el.caption
end

function Link(el)
  return el.content
end
