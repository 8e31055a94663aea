from rekap.cli import main

main()
