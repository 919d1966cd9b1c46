from salesflow.cli.app import main

main()
