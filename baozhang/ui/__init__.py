"""The pieces of the web pages that every area uses: form fields that clean text
(fields.py), a refusal shown as a message (feedback.py), the search box's limit
(search.py). Low in the ranking (docs/architecture.md), beside the API's infrastructure:
the areas import it, it imports no area; the staff dashboard and the shell of the pages
(baozhang/web) sit at the top."""
