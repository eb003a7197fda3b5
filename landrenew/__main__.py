from landrenew.cli import main

main()
