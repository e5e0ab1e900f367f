# The approvals a pull request still needs, as Markdown for its summary comment: the output of
# `prodops validate --base REV --approvals REVIEWS --format json` in, one line per missing approval out.
[.[] | select(.code == "PO504" or .code == "PO505")]
| if length == 0 then "### Approvals\n\nNo approvals pending."
  else (["### Pending approvals", ""] + map("- `\(.file):\(.line)` \(.message). \(.hint)")) | join("\n")
  end
