from corpuslint.cli import run

run()
