"""Running the build: the command line, the guard on Make's parameters, locking, executing notebooks, publishing HTML and PDF, the edition bundle, the build summary and the JupyterLab hook."""
