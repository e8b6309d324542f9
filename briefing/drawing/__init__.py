"""Drawing the page: charts, the HTML pieces the notebooks show, the story's and the appendix's blocks, the notebooks combined into one page with its template, and the PDF."""
