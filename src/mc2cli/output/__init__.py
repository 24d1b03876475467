"""Writing the assembled contract: Markdown, DOCX, PDF, HTML, notes, manifest and lock."""
